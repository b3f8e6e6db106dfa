package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
}
