package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import io.github.durablefunctions.DurableTaskClient;
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
     * Waits up to {@code timeout} for the instance to finish. Returns 200 with the output JSON as body if it
     * completed (as the .NET extension does); otherwise (still running, failed, terminated) the check-status
     * response of {@link #createCheckStatusResponse}.
     */
    public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage<?> request,
                                                                           String instanceId, Duration timeout) {
        try {
            OrchestrationMetadata metadata = client.waitForInstanceCompletion(instanceId, timeout, true);
            if (metadata != null && metadata.getRuntimeStatus() == OrchestrationRuntimeStatus.COMPLETED) {
                return request.createResponseBuilder(HttpStatus.OK)
                        .header("Content-Type", "application/json")
                        .body(metadata.getSerializedOutput())
                        .build();
            }
        } catch (TimeoutException e) {
            // Still running: answer with the status URLs.
        }
        return createCheckStatusResponse(request, instanceId);
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

    private static String toJson(HttpManagementPayload payload) {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize the management payload", e);
        }
    }
}
