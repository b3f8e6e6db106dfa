package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import io.github.durablefunctions.CleanEntityStorageRequest;
import io.github.durablefunctions.CleanEntityStorageResult;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.EntityQueryResult;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * What a {@link DurableClientInput} parameter receives: a client for the app's task hub and helpers that build the
 * Durable Functions HTTP responses (api-and-http.md §1.5, §3.2). The host creates it; functions only use it.
 */
public final class DurableClientContext {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DurableTaskClient client;
    private final String taskHubName;
    private final String connectionName;
    private final String requiredQueryStringParameters;

    /**
     * Created by the host for each invocation.
     *
     * @param client                        the client of the task hub
     * @param taskHubName                   the task hub name
     * @param connectionName                the connection's name as URLs carry it (e.g. {@code Storage})
     * @param requiredQueryStringParameters extra query parameters every management URL needs (e.g.
     *                                      {@code code=<key>}), without leading {@code &}; empty for none
     */
    public DurableClientContext(DurableTaskClient client, String taskHubName, String connectionName,
                                String requiredQueryStringParameters) {
        this.client = client;
        this.taskHubName = taskHubName;
        this.connectionName = connectionName;
        this.requiredQueryStringParameters = requiredQueryStringParameters == null ? ""
                : requiredQueryStringParameters;
    }

    /** The client of the task hub this binding names. */
    public DurableTaskClient getClient() {
        return client;
    }

    /** The client for durable entities of the task hub ({@code getClient().getEntities()}). */
    public DurableEntityClient getEntities() {
        return client.getEntities();
    }

    /** Signals an entity: see {@link DurableEntityClient#signalEntity(EntityInstanceId, String, Object)}. */
    public void signalEntity(EntityInstanceId entityId, String operationName) {
        client.getEntities().signalEntity(entityId, operationName);
    }

    /** Signals an entity: see {@link DurableEntityClient#signalEntity(EntityInstanceId, String, Object)}. */
    public void signalEntity(EntityInstanceId entityId, String operationName, Object input) {
        client.getEntities().signalEntity(entityId, operationName, input);
    }

    /** Reads an entity: see {@link DurableEntityClient#getEntityMetadata(EntityInstanceId, boolean)}. */
    public EntityMetadata getEntityMetadata(EntityInstanceId entityId, boolean includeState) {
        return client.getEntities().getEntityMetadata(entityId, includeState);
    }

    /** Queries entities: see {@link DurableEntityClient#queryEntities(EntityQuery)}. */
    public EntityQueryResult queryEntities(EntityQuery query) {
        return client.getEntities().queryEntities(query);
    }

    /** Cleans entity storage: see {@link DurableEntityClient#cleanEntityStorage(CleanEntityStorageRequest)}. */
    public CleanEntityStorageResult cleanEntityStorage(CleanEntityStorageRequest request) {
        return client.getEntities().cleanEntityStorage(request);
    }

    /** The task hub name. */
    public String getTaskHubName() {
        return taskHubName;
    }

    /**
     * The management URLs of an instance, based on the scheme and host of {@code request} (or its
     * {@code X-Forwarded-Proto} / {@code X-Forwarded-Host} headers when a proxy set them).
     */
    public HttpManagementPayload createHttpManagementPayload(HttpRequestMessage<?> request, String instanceId) {
        String query = "taskHub=" + UriEscaping.escapeDataString(taskHubName)
                + "&connection=" + UriEscaping.escapeDataString(connectionName)
                + (requiredQueryStringParameters.isEmpty() ? "" : "&" + requiredQueryStringParameters);
        return new HttpManagementPayload(baseUrl(request), instanceId, query);
    }

    /**
     * The response to return from an HTTP starter: 202 Accepted, {@code Location} = the status URL,
     * {@code Retry-After: 10} (seconds), {@code Content-Type: application/json}, and the
     * {@link HttpManagementPayload} as JSON body.
     */
    public HttpResponseMessage createCheckStatusResponse(HttpRequestMessage<?> request, String instanceId) {
        HttpManagementPayload payload = createHttpManagementPayload(request, instanceId);
        return request.createResponseBuilder(HttpStatus.ACCEPTED)
                .header("Content-Type", "application/json")
                .header("Location", payload.getStatusQueryGetUri())
                .header("Retry-After", "10")
                .body(toJson(payload))
                .build();
    }

    /**
     * Waits up to {@code timeout} for the instance to finish, then answers as the .NET extension does
     * (api-and-http.md §1.5, §3.3 "Start orchestration"):
     * <ul>
     *   <li>Completed: <b>200</b>, {@code Content-Type: application/json}, the output JSON as body ({@code null}
     *       when the orchestration returned nothing);</li>
     *   <li>Failed, Terminated or Canceled: <b>200</b> with the {@link StatusResponsePayload} (input included) as
     *       JSON body;</li>
     *   <li>still Pending, Running, Suspended or ContinuedAsNew when the time is up (or unknown): the <b>202</b>
     *       check-status response of {@link #createCheckStatusResponse}.</li>
     * </ul>
     * The Java reference answers 202 with the output in every finished case; this follows .NET instead.
     * The instance is polled as {@link DurableTaskClient#waitForInstanceCompletion} does.
     *
     * @param timeout how long to wait; zero or negative (or null) checks once without waiting
     */
    public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage<?> request,
                                                                           String instanceId, Duration timeout) {
        return waitForCompletionOrCreateCheckStatusResponse(request, instanceId, timeout, null, false);
    }

    /**
     * {@link #waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage, String, Duration)} with the .NET
     * overload's options.
     *
     * @param timeout                            how long to wait; zero or negative (or null) checks once
     * @param pollingInterval                    how often to read the status while waiting; null to let
     *                                           {@link DurableTaskClient#waitForInstanceCompletion} decide (it starts
     *                                           at 50 ms and backs off to 1 s)
     * @param returnInternalServerErrorOnFailure answer <b>500</b> instead of 200 for a Failed instance
     * @throws IllegalArgumentException if {@code pollingInterval} is not positive or is longer than a positive
     *                                  {@code timeout} (as .NET: "Total timeout ... should be bigger than retry
     *                                  timeout ...")
     */
    public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage<?> request,
                                                                           String instanceId, Duration timeout,
                                                                           Duration pollingInterval,
                                                                           boolean returnInternalServerErrorOnFailure) {
        boolean waits = timeout != null && !timeout.isNegative() && !timeout.isZero();
        if (pollingInterval != null) {
            if (pollingInterval.isNegative() || pollingInterval.isZero()) {
                throw new IllegalArgumentException("The polling interval must be positive, was "
                        + pollingInterval.toMillis() / 1000.0 + " s");
            }
            if (waits && pollingInterval.compareTo(timeout) > 0) {
                throw new IllegalArgumentException("Total timeout " + timeout.toMillis() / 1000.0
                        + " s should be bigger than the polling interval " + pollingInterval.toMillis() / 1000.0
                        + " s");
            }
        }
        OrchestrationMetadata metadata = waits ? awaitFinished(instanceId, timeout, pollingInterval)
                : client.getInstanceMetadata(instanceId, true);
        if (metadata != null) {
            switch (metadata.getRuntimeStatus()) {
                case COMPLETED -> {
                    String output = metadata.getSerializedOutput();
                    return request.createResponseBuilder(HttpStatus.OK)
                            .header("Content-Type", "application/json")
                            .body(output == null ? "null" : output)
                            .build();
                }
                case FAILED, TERMINATED, CANCELED -> {
                    boolean is500 = returnInternalServerErrorOnFailure
                            && metadata.getRuntimeStatus() == OrchestrationRuntimeStatus.FAILED;
                    return request.createResponseBuilder(is500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.OK)
                            .header("Content-Type", "application/json")
                            .body(toJson(StatusResponsePayload.of(metadata, true, JSON)))
                            .build();
                }
                default -> {
                    // Not finished: answer with the status URLs.
                }
            }
        }
        return createCheckStatusResponse(request, instanceId);
    }

    /** The instance's metadata once finished, or whatever was read last when the time is up (null if unknown). */
    private OrchestrationMetadata awaitFinished(String instanceId, Duration timeout, Duration pollingInterval) {
        if (pollingInterval == null) {
            try {
                return client.waitForInstanceCompletion(instanceId, timeout, true);
            } catch (TimeoutException e) {
                return null;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OrchestrationMetadata metadata = client.getInstanceMetadata(instanceId, true);
            if (metadata != null && metadata.getRuntimeStatus().isTerminal()) {
                return metadata;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return metadata;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(pollingInterval.toMillis(), remaining / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return metadata;
            }
        }
    }

    private static String baseUrl(HttpRequestMessage<?> request) {
        URI uri = request.getUri();
        String scheme = header(request.getHeaders(), "x-forwarded-proto");
        String host = header(request.getHeaders(), "x-forwarded-host");
        if (scheme == null) {
            scheme = uri.getScheme();
        }
        if (host == null) {
            host = uri.getRawAuthority();
        }
        return scheme + "://" + host;
    }

    private static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null
                    && !h.getValue().isBlank()) {
                String value = h.getValue();
                int comma = value.indexOf(',');
                return (comma >= 0 ? value.substring(0, comma) : value).trim();
            }
        }
        return null;
    }

    private static String toJson(Object payload) {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize a " + payload.getClass().getSimpleName(), e);
        }
    }
}
