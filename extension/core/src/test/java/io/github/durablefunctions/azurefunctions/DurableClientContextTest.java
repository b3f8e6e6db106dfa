package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.PurgeInstanceCriteria;
import io.github.durablefunctions.PurgeResult;
import io.github.durablefunctions.history.HistoryEvent;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurableClientContextTest {

    /** The smallest request/response pair the context needs: a URI, headers, and a response builder. */
    private record Request(URI uri, Map<String, String> headers) implements HttpRequestMessage<String> {
        @Override
        public URI getUri() {
            return uri;
        }

        @Override
        public HttpMethod getHttpMethod() {
            return HttpMethod.POST;
        }

        @Override
        public Map<String, String> getHeaders() {
            return headers;
        }

        @Override
        public Map<String, String> getQueryParameters() {
            return Map.of();
        }

        @Override
        public String getBody() {
            return null;
        }

        @Override
        public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
            return createResponseBuilder((HttpStatusType) status);
        }

        @Override
        public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
            Map<String, String> responseHeaders = new HashMap<>();
            Object[] body = new Object[1];
            HttpStatusType[] code = {status};
            return new HttpResponseMessage.Builder() {
                @Override
                public HttpResponseMessage.Builder status(HttpStatusType s) {
                    code[0] = s;
                    return this;
                }

                @Override
                public HttpResponseMessage.Builder header(String key, String value) {
                    responseHeaders.put(key, value);
                    return this;
                }

                @Override
                public HttpResponseMessage.Builder body(Object b) {
                    body[0] = b;
                    return this;
                }

                @Override
                public HttpResponseMessage build() {
                    return new HttpResponseMessage() {
                        @Override
                        public HttpStatusType getStatus() {
                            return code[0];
                        }

                        @Override
                        public String getHeader(String key) {
                            return responseHeaders.get(key);
                        }

                        @Override
                        public Object getBody() {
                            return body[0];
                        }
                    };
                }
            };
        }
    }

    private final DurableClientContext context = new DurableClientContext(null, "MyHub", "Storage", "");

    @Test
    void checkStatusResponseIs202WithLocationRetryAfterAndTheManagementUrls() throws Exception {
        Request request = new Request(URI.create("http://127.0.0.1:7071/api/orchestrators/HelloCities"), Map.of());

        HttpResponseMessage response = context.createCheckStatusResponse(request, "abc123");

        String status = "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc123"
                + "?taskHub=MyHub&connection=Storage";
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeader("Location")).isEqualTo(status);
        assertThat(response.getHeader("Retry-After")).isEqualTo("10");
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode body = new ObjectMapper().readTree((String) response.getBody());
        assertThat(body.path("id").asText()).isEqualTo("abc123");
        assertThat(body.path("statusQueryGetUri").asText()).isEqualTo(status);
        assertThat(body.path("purgeHistoryDeleteUri").asText()).isEqualTo(status);
        assertThat(body.path("sendEventPostUri").asText()).isEqualTo("http://127.0.0.1:7071/runtime/webhooks/"
                + "durabletask/instances/abc123/raiseEvent/{eventName}?taskHub=MyHub&connection=Storage");
        assertThat(body.path("terminatePostUri").asText()).isEqualTo("http://127.0.0.1:7071/runtime/webhooks/"
                + "durabletask/instances/abc123/terminate?reason={text}&taskHub=MyHub&connection=Storage");
        assertThat(body.fieldNames()).toIterable().containsExactly("id", "statusQueryGetUri", "sendEventPostUri",
                "terminatePostUri", "purgeHistoryDeleteUri", "restartPostUri", "suspendPostUri", "resumePostUri",
                "rewindPostUri");
    }

    @Test
    void instanceIdsAreEscapedAsUriDataAndForwardedHostsAreHonoured() {
        Request request = new Request(URI.create("http://10.0.0.5:7071/api/start"),
                Map.of("X-Forwarded-Proto", "https", "x-forwarded-host", "durable.example.com, proxy.internal"));

        HttpManagementPayload payload = context.createHttpManagementPayload(request, "order 42/ü");

        assertThat(payload.getStatusQueryGetUri()).isEqualTo("https://durable.example.com/runtime/webhooks/"
                + "durabletask/instances/order%2042%2F%C3%BC?taskHub=MyHub&connection=Storage");
    }

    @Test
    void requiredQueryParametersAreAppendedToEveryUrl() {
        DurableClientContext withKey = new DurableClientContext(null, "MyHub", "Storage", "code=secret");
        Request request = new Request(URI.create("http://localhost:7071/api/start"), Map.of());

        HttpManagementPayload payload = withKey.createHttpManagementPayload(request, "i");

        assertThat(payload.getStatusQueryGetUri()).endsWith("?taskHub=MyHub&connection=Storage&code=secret");
        assertThat(payload.getResumePostUri()).endsWith("/resume?reason={text}&taskHub=MyHub&connection=Storage"
                + "&code=secret");
    }

    /** A client whose instance goes through the given states, one per status read; the last one stays. */
    private static final class ScriptedClient extends DurableTaskClient {
        private final Deque<OrchestrationMetadata> states;
        int reads;

        ScriptedClient(OrchestrationMetadata... states) {
            this.states = new ArrayDeque<>(Arrays.asList(states));
        }

        @Override
        public io.github.durablefunctions.DurableEntityClient getEntities() {
            throw new UnsupportedOperationException("entities are not used by these tests");
        }

        @Override
        public OrchestrationMetadata getInstanceMetadata(String instanceId, boolean getInputsAndOutputs) {
            reads++;
            return states.size() > 1 ? states.poll() : states.peek();
        }

        @Override
        public OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout,
                                                               boolean getInputsAndOutputs) throws TimeoutException {
            while (true) {
                OrchestrationMetadata m = getInstanceMetadata(instanceId, getInputsAndOutputs);
                if (m == null || m.getRuntimeStatus().isTerminal()) {
                    return m;
                }
                if (states.size() <= 1 && !states.peek().getRuntimeStatus().isTerminal()) {
                    throw new TimeoutException("still " + m.getRuntimeStatus());
                }
            }
        }

        @Override
        public String scheduleNewOrchestrationInstance(String name, NewOrchestrationInstanceOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OrchestrationMetadata waitForInstanceStart(String id, Duration timeout, boolean io) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void raiseEvent(String instanceId, String eventName, Object eventPayload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void terminate(String instanceId, Object output) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void suspendInstance(String instanceId, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void resumeInstance(String instanceId, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String restartInstance(String instanceId, boolean restartWithNewInstanceId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void rewindInstance(String instanceId, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OrchestrationStatusQueryResult queryInstances(OrchestrationStatusQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PurgeResult purgeInstance(String instanceId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PurgeResult purgeInstances(PurgeInstanceCriteria criteria) {
            throw new UnsupportedOperationException();
        }
    }

    private static OrchestrationMetadata state(OrchestrationRuntimeStatus status, String output) {
        return new OrchestrationMetadata("i", "e", "Hello", status, Instant.parse("2026-01-02T03:04:05.678Z"),
                Instant.parse("2026-01-02T03:04:06Z"), null, "\"in\"", output, null, null, Map.of(), true,
                new JacksonDataConverter());
    }

    private static final Request START = new Request(URI.create("http://localhost:7071/api/start"), Map.of());

    @Test
    void waitingAnswers200WithTheOutputWhenTheInstanceCompletes() {
        ScriptedClient client = new ScriptedClient(state(OrchestrationRuntimeStatus.RUNNING, null),
                state(OrchestrationRuntimeStatus.COMPLETED, "{\"sum\":3}"));
        DurableClientContext ctx = new DurableClientContext(client, "MyHub", "Storage", "");

        HttpResponseMessage response = ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i",
                Duration.ofSeconds(5));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(response.getBody()).isEqualTo("{\"sum\":3}");
    }

    @Test
    void waitingAnswers200WithTheStatusPayloadForFailedTerminatedAndCanceledInstances() throws Exception {
        for (OrchestrationRuntimeStatus status : List.of(OrchestrationRuntimeStatus.FAILED,
                OrchestrationRuntimeStatus.TERMINATED, OrchestrationRuntimeStatus.CANCELED)) {
            DurableClientContext ctx = new DurableClientContext(new ScriptedClient(state(status, "\"why\"")),
                    "MyHub", "Storage", "");

            HttpResponseMessage response = ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i",
                    Duration.ofSeconds(5));

            assertThat(response.getStatusCode()).as(status.name()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree((String) response.getBody());
            assertThat(body.path("runtimeStatus").asText()).isEqualTo(status.statusName());
            assertThat(body.path("instanceId").asText()).isEqualTo("i");
            assertThat(body.path("input").asText()).isEqualTo("in");
            assertThat(body.path("output").asText()).isEqualTo("why");
        }
    }

    @Test
    void aFailedInstanceIs500WhenAskedFor() {
        DurableClientContext ctx = new DurableClientContext(
                new ScriptedClient(state(OrchestrationRuntimeStatus.FAILED, null)), "MyHub", "Storage", "");

        HttpResponseMessage failed = ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i",
                Duration.ofSeconds(1), Duration.ofMillis(10), true);

        assertThat(failed.getStatusCode()).isEqualTo(500);
    }

    @Test
    void anUnfinishedInstanceGetsTheCheckStatusResponseWhenTheTimeIsUp() {
        ScriptedClient client = new ScriptedClient(state(OrchestrationRuntimeStatus.RUNNING, null));
        DurableClientContext ctx = new DurableClientContext(client, "MyHub", "Storage", "");

        long start = System.nanoTime();
        HttpResponseMessage response = ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i",
                Duration.ofMillis(300), Duration.ofMillis(50), false);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(client.reads).as("polled every 50 ms for 300 ms").isBetween(3, 8);
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeader("Location")).endsWith("/instances/i?taskHub=MyHub&connection=Storage");
    }

    @Test
    void aZeroTimeoutChecksOnceWithoutWaiting() {
        ScriptedClient client = new ScriptedClient(state(OrchestrationRuntimeStatus.PENDING, null));
        DurableClientContext ctx = new DurableClientContext(client, "MyHub", "Storage", "");

        assertThat(ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i", Duration.ZERO).getStatusCode())
                .isEqualTo(202);
        assertThat(client.reads).isEqualTo(1);
    }

    @Test
    void aPollingIntervalLongerThanTheTimeoutOrNotPositiveIsRejected() {
        DurableClientContext ctx = new DurableClientContext(
                new ScriptedClient(state(OrchestrationRuntimeStatus.RUNNING, null)), "MyHub", "Storage", "");

        assertThatThrownBy(() -> ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i", Duration.ofSeconds(1),
                Duration.ofSeconds(2), false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("should be bigger than the polling interval");
        assertThatThrownBy(() -> ctx.waitForCompletionOrCreateCheckStatusResponse(START, "i", Duration.ofSeconds(1),
                Duration.ZERO, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }
}
