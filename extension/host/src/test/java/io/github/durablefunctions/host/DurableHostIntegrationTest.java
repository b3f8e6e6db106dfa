package io.github.durablefunctions.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.host.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the host in-process on a free port against Azurite ({@link AzuriteExtension}), with the test function app
 * ({@link io.github.durablefunctions.host.testapp.HelloFunctions}) loaded from a staging folder whose classes come
 * from the app jar, and drives it over HTTP.
 */
@ExtendWith(AzuriteExtension.class)
class DurableHostIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String HUB = "HostIt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @TempDir
    static Path tmp;

    private static DurableHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = DurableHost.start(TestApp.hostOptions(tmp, TestApp.hostJson(HUB, 4)));
    }

    @AfterAll
    static void stopHost() {
        if (host != null) {
            host.close();
        }
    }

    private static HttpResponse<String> send(String method, String pathOrUrl, String body) throws IOException,
            InterruptedException {
        URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : host.baseUrl() + pathOrUrl);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Polls a status URL until the instance has finished; returns the final response. */
    private static HttpResponse<String> awaitFinished(String statusUrl) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last.set(send("GET", statusUrl, null));
            return last.get().statusCode() != 202;
        });
        return last.get();
    }

    @Test
    void anHttpStarterRunsAnOrchestrationWithActivitiesToCompletion() throws Exception {
        HttpResponse<String> started = send("POST", "/api/orchestrators/HelloCities", "[\"Tokyo\", \"London\"]");

        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode payload = json(started);
        String id = payload.get("id").asText();
        String statusUrl = payload.get("statusQueryGetUri").asText();
        assertThat(statusUrl).startsWith(host.baseUrl() + "/runtime/webhooks/durabletask/instances/" + id)
                .contains("taskHub=" + HUB).contains("connection=Storage");
        assertThat(started.headers().firstValue("Location")).contains(statusUrl);

        HttpResponse<String> done = awaitFinished(statusUrl);
        assertThat(done.statusCode()).isEqualTo(200);
        JsonNode status = json(done);
        assertThat(status.get("name").asText()).isEqualTo("HelloCities");
        assertThat(status.get("instanceId").asText()).isEqualTo(id);
        assertThat(status.get("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(status.get("output").asText()).isEqualTo("Hello Tokyo!, Hello London!");
        assertThat(status.get("input")).isEqualTo(JSON.readTree("[\"Tokyo\",\"London\"]"));
        assertThat(status.get("customStatus").isNull()).isTrue();
        assertThat(status.get("createdTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(status.get("lastUpdatedTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(status.has("historyEvents")).isFalse();

        JsonNode withoutInput = json(send("GET", statusUrl + "&showInput=false", null));
        assertThat(withoutInput.get("input").isNull()).isTrue();
        assertThat(withoutInput.get("output").asText()).isEqualTo("Hello Tokyo!, Hello London!");
    }

    @Test
    void aRunningInstanceAnswers202WithLocationAndRetryAfter() throws Exception {
        JsonNode payload = json(send("POST", "/api/orchestrators/SlowOrchestration", "3000"));
        String statusUrl = payload.get("statusQueryGetUri").asText();

        HttpResponse<String> running = send("GET", statusUrl, null);
        assertThat(running.statusCode()).isEqualTo(202);
        assertThat(json(running).get("runtimeStatus").asText()).isIn("Pending", "Running");
        assertThat(running.headers().firstValue("Location")).contains(statusUrl);
        assertThat(running.headers().firstValue("Retry-After")).contains("5");

        HttpResponse<String> done = awaitFinished(statusUrl);
        assertThat(json(done).get("output").asText()).isEqualTo("slept 3000");
    }

    @Test
    void aFailedInstanceAnswers200Or500WhenAsked() throws Exception {
        JsonNode payload = json(send("POST", "/api/orchestrators/FailingOrchestration", null));
        String statusUrl = payload.get("statusQueryGetUri").asText();

        HttpResponse<String> done = awaitFinished(statusUrl);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).get("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(json(done).get("name").asText()).isEqualTo("FailingOrchestration");

        assertThat(send("GET", statusUrl + "&returnInternalServerErrorOnFailure=true", null).statusCode())
                .isEqualTo(500);
    }

    @Test
    void anUnknownInstanceIs404WithAMessage() throws Exception {
        HttpResponse<String> response = send("GET", "/runtime/webhooks/durabletask/instances/No-Such%20Instance",
                null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(json(response).get("message").asText())
                .as("the instance ID is decoded and keeps its case").contains("'No-Such Instance'");

        HttpResponse<String> anyCase = send("GET", "/Runtime/Webhooks/DurableTask/Instances/Other", null);
        assertThat(anyCase.statusCode()).isEqualTo(404);
        assertThat(json(anyCase).get("message").asText()).contains("'Other'");
    }

    @Test
    void aBadQueryValueIs400() throws Exception {
        HttpResponse<String> response = send("GET", "/runtime/webhooks/durabletask/instances/x?showInput=maybe", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).contains("showInput");
    }

    @Test
    void unknownRoutesAndMethodsAre404() throws Exception {
        assertThat(send("GET", "/api/does/not/exist", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/elsewhere", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/orchestrators/HelloCities", null).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/runtime/webhooks/durabletask/instances/x", null).statusCode()).isEqualTo(404);
    }

    @Test
    void routeValuesConstraintsAndQueryReachTheFunctionAndObjectsReturnAsJson() throws Exception {
        HttpResponse<String> response = send("GET", "/api/items/42/widget?color=red", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(json(response)).isEqualTo(JSON.readTree(
                "{\"id\":42,\"name\":\"widget\",\"color\":\"red\",\"loader\":\"function-app\"}"));

        JsonNode optionalAbsent = json(send("GET", "/API/Items/7", null));
        assertThat(optionalAbsent.get("id").asInt()).isEqualTo(7);
        assertThat(optionalAbsent.get("name").isNull()).isTrue();

        assertThat(send("GET", "/api/items/seven", null).statusCode()).as("{id:int} rejects 'seven'").isEqualTo(404);
    }

    @Test
    void jsonBodiesBindToTypedRequestsAndBadOnesAre400() throws Exception {
        HttpResponse<String> ok = send("POST", "/api/greet", "{\"name\": \"Ada\"}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("Hello Ada");
        assertThat(ok.headers().firstValue("X-Greeted")).contains("Ada");
        assertThat(ok.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain"));

        HttpResponse<String> bad = send("POST", "/api/greet", "not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).contains("request body");
    }

    @Test
    void aFailingFunctionIs500AndTheHostKeepsServing() throws Exception {
        HttpResponse<String> failed = send("GET", "/api/boom", null);
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(json(failed).get("error").asText()).contains("Boom").contains("kaboom");

        assertThat(send("GET", "/api/items/1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyFunctionIsLoadedAndTheSummaryListsThem() {
        assertThat(host.functions().skipped()).isEmpty();
        assertThat(host.functions().entities()).extracting(FunctionRegistry.DurableFunction::name)
                .containsExactlyInAnyOrder("account", "counter", "tally");
        String summary = host.summary();
        assertThat(summary)
                .contains("StartOrchestration: [POST] " + host.baseUrl() + "/api/orchestrators/{functionName}")
                .contains("GetItem: [GET] " + host.baseUrl() + "/api/items/{id:int}/{name?}")
                .contains("HelloCities: orchestrationTrigger")
                .contains("FailingOrchestrator: orchestrationTrigger (orchestration 'FailingOrchestration')")
                .contains("Join: activityTrigger (activity 'JoinGreetings')")
                .contains("Counter: entityTrigger (entity 'counter')")
                .contains("TallyFunction: entityTrigger (entity 'tally')")
                .contains("Task hub: " + HUB)
                .contains("Storage: http://127.0.0.1:");
    }
}
