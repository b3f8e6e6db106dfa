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

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable task HTTP management API (api-and-http.md §3) end to end: a host on a free port against Azurite
 * ({@link AzuriteExtension}) with the test app, driven over HTTP. One test per endpoint and status code.
 */
@ExtendWith(AzuriteExtension.class)
class DurableTaskHttpApiIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String HUB = "ApiIt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final String API = "/runtime/webhooks/durabletask";
    private static final int BODY_LIMIT = 64 * 1024;

    @TempDir
    static Path tmp;

    private static DurableHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = DurableHost.start(TestApp.hostOptions(tmp, TestApp.hostJson(HUB, 8))
                .withEnvironment(Map.of("OtherStorage", AzuriteExtension.connectionString(),
                        "NotAConnection", "just text"))
                .withMaxRequestBodySize(BODY_LIMIT));
    }

    @AfterAll
    static void stopHost() {
        if (host != null) {
            host.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> send(String method, String pathOrUrl, String body, String... headers)
            throws IOException, InterruptedException {
        URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : host.baseUrl() + pathOrUrl);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return body == null ? send("POST", path, null)
                : send("POST", path, body, "Content-Type", "application/json");
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts an orchestrator through the API; returns the check-status payload. */
    private static JsonNode start(String orchestrator, String instanceId, String input) throws Exception {
        HttpResponse<String> started = post(API + "/orchestrators/" + orchestrator
                + (instanceId == null ? "" : "/" + enc(instanceId)), input);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        return json(started);
    }

    private static String statusPath(String instanceId) {
        return API + "/instances/" + enc(instanceId);
    }

    /** Polls the status endpoint until the payload satisfies the condition; returns it. */
    private static JsonNode awaitStatus(String statusPathOrUrl, Predicate<JsonNode> condition) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> response = send("GET", statusPathOrUrl, null);
            if (response.statusCode() == 404) {
                return false;
            }
            last.set(json(response));
            return condition.test(last.get());
        });
        return last.get();
    }

    private static JsonNode awaitRuntimeStatus(String instanceId, String status) {
        return awaitStatus(statusPath(instanceId), s -> s.path("runtimeStatus").asText().equals(status));
    }

    // ------------------------------------------------------------------------------------------------ start

    @Test
    void startAnswers202WithTheCheckStatusPayloadAndTheInstanceRuns() throws Exception {
        HttpResponse<String> started = post(API + "/orchestrators/HelloCities?code=local%20key", "[\"Oslo\"]");

        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(started.headers().firstValue("Retry-After")).contains("10");
        JsonNode payload = json(started);
        String id = payload.path("id").asText();
        String base = host.baseUrl() + API + "/instances/" + id;
        String query = "taskHub=" + HUB + "&connection=Storage&code=local+key";
        assertThat(payload.path("statusQueryGetUri").asText()).isEqualTo(base + "?" + query);
        assertThat(started.headers().firstValue("Location")).contains(base + "?" + query);
        assertThat(payload.path("sendEventPostUri").asText()).isEqualTo(base + "/raiseEvent/{eventName}?" + query);
        assertThat(payload.path("terminatePostUri").asText()).isEqualTo(base + "/terminate?reason={text}&" + query);
        assertThat(payload.path("purgeHistoryDeleteUri").asText()).isEqualTo(base + "?" + query);
        assertThat(payload.path("restartPostUri").asText()).isEqualTo(base + "/restart?" + query);
        assertThat(payload.path("suspendPostUri").asText()).isEqualTo(base + "/suspend?reason={text}&" + query);
        assertThat(payload.path("resumePostUri").asText()).isEqualTo(base + "/resume?reason={text}&" + query);
        assertThat(payload.path("rewindPostUri").asText()).isEqualTo(base + "/rewind?reason={text}&" + query);

        JsonNode done = awaitStatus(payload.path("statusQueryGetUri").asText(),
                s -> s.path("runtimeStatus").asText().equals("Completed"));
        assertThat(done.path("output").asText()).isEqualTo("Hello Oslo!");
        assertThat(done.path("input")).isEqualTo(JSON.readTree("[\"Oslo\"]"));
    }

    @Test
    void startTakesAnInstanceIdAndMatchesTheOrchestratorIgnoringCase() throws Exception {
        String id = unique("named");
        JsonNode payload = start("hellocities", id, "[\"Rome\"]");

        assertThat(payload.path("id").asText()).isEqualTo(id);
        JsonNode done = awaitRuntimeStatus(id, "Completed");
        assertThat(done.path("name").asText()).isEqualTo("HelloCities");
        assertThat(done.path("output").asText()).isEqualTo("Hello Rome!");
    }

    @Test
    void startWithoutABodyHasNoInput() throws Exception {
        String id = unique("no-input");
        start("FailingOrchestration", id, null);
        assertThat(awaitRuntimeStatus(id, "Failed").path("input").isNull()).isTrue();
    }

    @Test
    void startWithMalformedJsonIs400AndCreatesNothing() throws Exception {
        String id = unique("bad-json");
        HttpResponse<String> response = post(API + "/orchestrators/HelloCities/" + id, "{\"cities\": [");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("not valid JSON");
        assertThat(send("GET", statusPath(id), null).statusCode()).isEqualTo(404);
    }

    @Test
    void startOfAnUnknownOrchestratorIs400() throws Exception {
        HttpResponse<String> unknown = post(API + "/orchestrators/NoSuchOrchestrator", "1");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).contains("'NoSuchOrchestrator'")
                .contains("HelloCities");

        HttpResponse<String> activity = post(API + "/orchestrators/SayHello", "\"x\"");
        assertThat(activity.statusCode()).as("an activity is not an orchestrator").isEqualTo(400);
    }

    @Test
    void instanceIdsWithReservedUrlCharactersWorkWhenEncoded() throws Exception {
        for (String raw : List.of("a/b", "back\\slash", "hash#tag", "what?now", "sp ace+plus%25")) {
            String id = unique(raw);
            JsonNode payload = start("HelloCities", id, "[\"Lima\"]");
            assertThat(payload.path("id").asText()).isEqualTo(id);
            JsonNode done = awaitStatus(payload.path("statusQueryGetUri").asText(),
                    s -> s.path("runtimeStatus").asText().equals("Completed"));
            assertThat(done.path("instanceId").asText()).as(raw).isEqualTo(id);
            assertThat(json(send("GET", statusPath(id), null)).path("instanceId").asText()).isEqualTo(id);
        }
    }

    @Test
    void overLongBlankAndReservedInstanceIdsAre400() throws Exception {
        String tooLong = "x".repeat(257);
        HttpResponse<String> longId = post(API + "/orchestrators/HelloCities/" + tooLong, "[]");
        assertThat(longId.statusCode()).isEqualTo(400);
        assertThat(json(longId).path("error").asText()).contains("1 to 256");

        HttpResponse<String> blank = post(API + "/orchestrators/HelloCities/%20%20", "[]");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(json(blank).path("error").asText()).contains("blank");

        HttpResponse<String> entity = post(API + "/orchestrators/HelloCities/%40counter", "[]");
        assertThat(entity.statusCode()).isEqualTo(400);
        assertThat(json(entity).path("error").asText()).contains("reserved for entities");

        assertThat(post(API + "/orchestrators/HelloCities/" + "y".repeat(256), "[]").statusCode())
                .as("256 characters are allowed").isEqualTo(202);
    }

    @Test
    void startingAnIdThatIsStillRunningIs409AndAFinishedOneIsReplaced() throws Exception {
        String id = unique("dup");
        start("SlowOrchestration", id, "2000");

        HttpResponse<String> again = post(API + "/orchestrators/SlowOrchestration/" + id, "10");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).path("error").asText()).contains(id);

        awaitRuntimeStatus(id, "Completed");
        start("SlowOrchestration", id, "10");
        assertThat(awaitStatus(statusPath(id), s -> s.path("output").asText().equals("slept 10"))
                .path("runtimeStatus").asText()).isEqualTo("Completed");
    }

    @Test
    void startCanWaitForTheOutput() throws Exception {
        HttpResponse<String> completed = post(API + "/orchestrators/HelloCities?timeout=30&pollingInterval=0.2",
                "[\"Kyiv\"]");
        assertThat(completed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(completed.body()).asText()).isEqualTo("Hello Kyiv!");

        HttpResponse<String> failed = post(API + "/orchestrators/FailingOrchestration?timeout=30&pollingInterval=0.2",
                null);
        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(json(failed).path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(json(failed).path("name").asText()).isEqualTo("FailingOrchestration");

        HttpResponse<String> failed500 = post(API + "/orchestrators/FailingOrchestration?timeout=30"
                + "&pollingInterval=0.2&returnInternalServerErrorOnFailure=true", null);
        assertThat(failed500.statusCode()).isEqualTo(500);
        assertThat(json(failed500).path("runtimeStatus").asText()).isEqualTo("Failed");

        HttpResponse<String> slow = post(API + "/orchestrators/SlowOrchestration?timeout=1&pollingInterval=0.25",
                "5000");
        assertThat(slow.statusCode()).as("still running after 1 s").isEqualTo(202);
        assertThat(json(slow).path("statusQueryGetUri").asText()).contains(json(slow).path("id").asText());

        HttpResponse<String> onlyTimeout = post(API + "/orchestrators/SlowOrchestration?timeout=5", "3000");
        assertThat(onlyTimeout.statusCode()).as("both are needed to wait").isEqualTo(202);
    }

    @Test
    void badWaitParametersAre400AndStartNothing() throws Exception {
        String id = unique("bad-wait");
        for (String query : List.of("timeout=1&pollingInterval=5", "timeout=abc&pollingInterval=1",
                "timeout=5&pollingInterval=-1", "timeout=5&pollingInterval=0")) {
            HttpResponse<String> response = post(API + "/orchestrators/HelloCities/" + id + "?" + query, "[]");
            assertThat(response.statusCode()).as(query).isEqualTo(400);
        }
        assertThat(send("GET", statusPath(id), null).statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------------------------------------ status

    @Test
    void showHistoryListsTheEventsAndShowHistoryOutputAddsTheResults() throws Exception {
        String id = unique("history");
        start("HelloCities", id, "[\"Tokyo\", \"London\"]");
        awaitRuntimeStatus(id, "Completed");

        JsonNode withHistory = json(send("GET", statusPath(id) + "?showHistory=true", null));
        JsonNode events = withHistory.path("historyEvents");
        assertThat(events.isArray()).isTrue();
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("EventType").asText()));
        assertThat(types).containsExactly("ExecutionStarted", "TaskCompleted", "TaskCompleted", "TaskCompleted",
                "ExecutionCompleted");
        JsonNode startedEvent = events.get(0);
        assertThat(startedEvent.path("FunctionName").asText()).isEqualTo("HelloCities");
        assertThat(startedEvent.has("Input")).isFalse();
        assertThat(startedEvent.path("Timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        JsonNode firstTask = events.get(1);
        assertThat(firstTask.path("FunctionName").asText()).isEqualTo("SayHello");
        assertThat(Instant.parse(firstTask.path("ScheduledTime").asText()))
                .isBeforeOrEqualTo(Instant.parse(firstTask.path("Timestamp").asText()));
        assertThat(firstTask.has("Result")).as("results only with showHistoryOutput").isFalse();
        assertThat(events.get(3).path("FunctionName").asText()).isEqualTo("JoinGreetings");
        JsonNode completedEvent = events.get(4);
        assertThat(completedEvent.path("OrchestrationStatus").asText()).isEqualTo("Completed");
        assertThat(completedEvent.has("Result")).isFalse();
        events.forEach(e -> assertThat(e.has("EventId")).isFalse());

        JsonNode withOutput = json(send("GET", statusPath(id) + "?showHistory=true&showHistoryOutput=true", null))
                .path("historyEvents");
        assertThat(withOutput.get(0).path("Input")).isEqualTo(JSON.readTree("[\"Tokyo\",\"London\"]"));
        assertThat(withOutput.get(1).path("Result").asText()).isEqualTo("Hello Tokyo!");
        assertThat(withOutput.get(2).path("Result").asText()).isEqualTo("Hello London!");
        assertThat(withOutput.get(4).path("Result").asText()).isEqualTo("Hello Tokyo!, Hello London!");

        assertThat(json(send("GET", statusPath(id), null)).has("historyEvents")).isFalse();
    }

    @Test
    void showHistoryOfAFailedInstanceHasTheFailure() throws Exception {
        String id = unique("history-failed");
        start("FailingOrchestration", id, null);
        awaitRuntimeStatus(id, "Failed");

        JsonNode events = json(send("GET", statusPath(id) + "?showHistory=true", null)).path("historyEvents");
        JsonNode taskFailed = events.get(1);
        assertThat(taskFailed.path("EventType").asText()).isEqualTo("TaskFailed");
        assertThat(taskFailed.path("FunctionName").asText()).isEqualTo("Fail");
        assertThat(taskFailed.path("FailureDetails").path("ErrorType").asText())
                .isEqualTo("java.lang.IllegalStateException");
        assertThat(taskFailed.path("FailureDetails").path("ErrorMessage").asText()).contains("activity failed: boom");
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.path("EventType").asText()).isEqualTo("ExecutionCompleted");
        assertThat(last.path("OrchestrationStatus").asText()).isEqualTo("Failed");
    }

    @Test
    void showHistoryOfATimerHasItsFireTime() throws Exception {
        String id = unique("timer");
        start("TimerOrchestration", id, "1");
        assertThat(awaitRuntimeStatus(id, "Completed").path("output").asText()).isEqualTo("timer fired");

        JsonNode events = json(send("GET", statusPath(id) + "?showHistory=true", null)).path("historyEvents");
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("EventType").asText()));
        assertThat(types).containsExactly("ExecutionStarted", "TimerCreated", "TimerFired", "ExecutionCompleted");
        Instant fireAt = Instant.parse(events.get(1).path("FireAt").asText());
        assertThat(Instant.parse(events.get(2).path("FireAt").asText())).isEqualTo(fireAt);
        assertThat(fireAt).isAfter(Instant.parse(events.get(0).path("Timestamp").asText()));
    }

    // ------------------------------------------------------------------------------------------------ query

    @Test
    void queryPagesThroughInstancesWithTheContinuationToken() throws Exception {
        String prefix = unique("page");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ids.add(start("HelloCities", prefix + "-" + i, "[\"P" + i + "\"]").path("id").asText());
        }
        ids.forEach(id -> awaitRuntimeStatus(id, "Completed"));

        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            HttpResponse<String> page = token == null
                    ? send("GET", API + "/instances?top=2&instanceIdPrefix=" + prefix, null)
                    : send("GET", API + "/instances?top=2&instanceIdPrefix=" + prefix, null,
                    "x-ms-continuation-token", token);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("x-ms-continuation-token")).as("always set").isPresent();
            JsonNode array = json(page);
            assertThat(array.size()).isLessThanOrEqualTo(2);
            for (JsonNode instance : array) {
                assertThat(seen.add(instance.path("instanceId").asText())).as("no instance twice").isTrue();
                assertThat(instance.path("runtimeStatus").asText()).isEqualTo("Completed");
                assertThat(instance.path("name").asText()).isEqualTo("HelloCities");
                assertThat(instance.path("input").isNull()).as("showInput defaults to false").isTrue();
                assertThat(instance.path("output").asText()).startsWith("Hello P");
            }
            token = page.headers().firstValue("x-ms-continuation-token").orElseThrow();
            pages++;
        } while (!token.isEmpty() && pages < 20);

        assertThat(seen).isEqualTo(ids);
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(token).as("the last page has an empty token").isEmpty();
    }

    @Test
    void queryFiltersByStatusTimeAndShowsInputsOnRequest() throws Exception {
        String prefix = unique("filter");
        Instant before = Instant.now().minusSeconds(2);
        String done = start("HelloCities", prefix + "-done", "[\"F\"]").path("id").asText();
        String failed = start("FailingOrchestration", prefix + "-failed", null).path("id").asText();
        awaitRuntimeStatus(done, "Completed");
        awaitRuntimeStatus(failed, "Failed");

        JsonNode completed = json(send("GET", API + "/instances/?instanceIdPrefix=" + prefix
                + "&runtimeStatus=Completed&showInput=true", null));
        assertThat(completed).hasSize(1);
        assertThat(completed.get(0).path("instanceId").asText()).isEqualTo(done);
        assertThat(completed.get(0).path("input")).isEqualTo(JSON.readTree("[\"F\"]"));

        JsonNode both = json(send("GET", API + "/instances?instanceIdPrefix=" + prefix
                + "&runtimeStatus=completed,%20Failed&createdTimeFrom=" + before, null));
        assertThat(both).hasSize(2);

        JsonNode none = json(send("GET", API + "/instances?instanceIdPrefix=" + prefix
                + "&createdTimeFrom=2100-01-01T00:00:00Z", null));
        assertThat(none).isEmpty();
        JsonNode beforeAll = json(send("GET", API + "/instances?instanceIdPrefix=" + prefix
                + "&createdTimeTo=2000-01-01", null));
        assertThat(beforeAll).isEmpty();
        JsonNode offsetUnencoded = json(send("GET", API + "/instances?instanceIdPrefix=" + prefix
                + "&createdTimeFrom=2000-01-01T02:00:00+02:00&createdTimeTo=2100-01-01T00:00:00", null));
        assertThat(offsetUnencoded).as("an offset whose + arrived as a space; a time without offset").hasSize(2);
        JsonNode running = json(send("GET", API + "/instances?instanceIdPrefix=" + prefix
                + "&runtimeStatus=Running,Pending", null));
        assertThat(running).isEmpty();
    }

    @Test
    void badQueryValuesAre400() throws Exception {
        HttpResponse<String> badTime = send("GET", API + "/instances?createdTimeFrom=yesterday", null);
        assertThat(badTime.statusCode()).isEqualTo(400);
        assertThat(json(badTime).path("error").asText()).contains("createdTimeFrom").contains("ISO-8601");

        HttpResponse<String> badStatus = send("GET", API + "/instances?runtimeStatus=Running,Sleeping", null);
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).path("error").asText()).contains("'Sleeping'");

        assertThat(send("GET", API + "/instances?top=many", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", API + "/instances?top=0", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", API + "/instances", null, "x-ms-continuation-token", "not-a-token").statusCode())
                .isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------------------ purge

    @Test
    void purgeOneDeletesTheInstanceAnd404sAfter() throws Exception {
        String id = unique("purge/one");
        start("HelloCities", id, "[\"Bonn\"]");
        awaitRuntimeStatus(id, "Completed");

        HttpResponse<String> purged = send("DELETE", statusPath(id), null);
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(json(purged)).isEqualTo(JSON.readTree("{\"instancesDeleted\":1}"));
        assertThat(send("GET", statusPath(id), null).statusCode()).isEqualTo(404);

        HttpResponse<String> again = send("DELETE", statusPath(id), null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(json(again).path("message").asText()).contains(id);
    }

    @Test
    void purgeManyDeletesFinishedInstancesInTheTimeRange() throws Exception {
        Instant from = Instant.now().minusMillis(500);
        String prefix = unique("purge-many");
        List<String> ids = List.of(prefix + "-1", prefix + "-2");
        for (String id : ids) {
            start("HelloCities", id, "[\"X\"]");
        }
        ids.forEach(id -> awaitRuntimeStatus(id, "Completed"));
        Instant to = Instant.now().plusSeconds(1);

        HttpResponse<String> purged = send("DELETE", API + "/instances?createdTimeFrom=" + from + "&createdTimeTo="
                + to + "&runtimeStatus=Completed", null);
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(json(purged).path("instancesDeleted").asInt()).isGreaterThanOrEqualTo(2);
        for (String id : ids) {
            assertThat(send("GET", statusPath(id), null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void purgeManyNeedsCreatedTimeFromAndIs404WhenNothingMatches() throws Exception {
        HttpResponse<String> missing = send("DELETE", API + "/instances?runtimeStatus=Completed", null);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("error").asText())
                .isEqualTo("Please provide value for 'createdTimeFrom' parameter.");

        HttpResponse<String> nothing = send("DELETE", API + "/instances?createdTimeFrom=2100-01-01T00:00:00Z", null);
        assertThat(nothing.statusCode()).isEqualTo(404);
        assertThat(json(nothing).path("instancesDeleted").asInt()).isZero();

        assertThat(send("DELETE", API + "/instances?createdTimeFrom=soon", null).statusCode()).isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------------------ events

    @Test
    void raiseEventDeliversTheJsonPayloadAndIs410Afterwards() throws Exception {
        String id = unique("approve/#?\\");
        start("WaitForApproval", id, null);
        awaitRuntimeStatus(id, "Running");

        HttpResponse<String> raised = post(statusPath(id) + "/raiseEvent/Approval", "\"yes\"");
        assertThat(raised.statusCode()).isEqualTo(202);
        assertThat(raised.body()).isEmpty();
        assertThat(raised.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location)
                .contains("/runtime/webhooks/durabletask/instances/").contains("taskHub="));
        assertThat(raised.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(awaitRuntimeStatus(id, "Completed").path("output").asText()).isEqualTo("approved: yes");

        HttpResponse<String> late = post(statusPath(id) + "/raiseEvent/Approval", "\"again\"");
        assertThat(late.statusCode()).isEqualTo(410);
        assertThat(json(late).path("error").asText()).contains("Completed");
    }

    @Test
    void raiseEventRefusesBadContentTypeAndBadJsonAndUnknownInstances() throws Exception {
        String id = unique("approve-bad");
        start("WaitForApproval", id, null);

        HttpResponse<String> text = send("POST", statusPath(id) + "/raiseEvent/Approval", "\"yes\"",
                "Content-Type", "text/plain");
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(json(text).path("error").asText()).contains("application/json");
        HttpResponse<String> none = send("POST", statusPath(id) + "/raiseEvent/Approval", "\"yes\"");
        assertThat(none.statusCode()).isEqualTo(400);

        HttpResponse<String> badJson = post(statusPath(id) + "/raiseEvent/Approval", "{yes");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(json(badJson).path("error").asText()).contains("not valid JSON");

        assertThat(post(statusPath(unique("nobody")) + "/raiseEvent/Approval", "1").statusCode()).isEqualTo(404);

        assertThat(json(send("GET", statusPath(id), null)).path("runtimeStatus").asText())
                .as("nothing was delivered").isIn("Pending", "Running");
        assertThat(post(statusPath(id) + "/raiseEvent/Approval", "\"finally\"").statusCode()).isEqualTo(202);
        assertThat(awaitRuntimeStatus(id, "Completed").path("output").asText()).isEqualTo("approved: finally");
    }

    @Test
    void terminateEndsARunningInstanceWithTheReason() throws Exception {
        String id = unique("terminate");
        start("WaitForApproval", id, null);
        awaitRuntimeStatus(id, "Running");

        HttpResponse<String> accepted = send("POST", statusPath(id) + "/terminate?reason=no%20longer%20needed", null);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(send("GET", accepted.headers().firstValue("Location").orElseThrow(), null).statusCode())
                .as("Location is the instance's status URL").isIn(200, 202);
        JsonNode terminated = awaitRuntimeStatus(id, "Terminated");
        assertThat(terminated.path("output").asText()).isEqualTo("no longer needed");

        assertThat(send("POST", statusPath(id) + "/terminate?reason=again", null).statusCode()).isEqualTo(410);
        assertThat(send("POST", statusPath(unique("nobody")) + "/terminate", null).statusCode()).isEqualTo(404);
    }

    @Test
    void suspendAndResumeHoldAndContinueAnInstance() throws Exception {
        String id = unique("suspend");
        start("WaitForApproval", id, null);
        awaitRuntimeStatus(id, "Running");

        assertThat(send("POST", statusPath(id) + "/suspend?reason=hold", null).statusCode()).isEqualTo(202);
        awaitRuntimeStatus(id, "Suspended");
        assertThat(post(statusPath(id) + "/raiseEvent/Approval", "\"while suspended\"").statusCode())
                .isEqualTo(202);
        assertThat(json(send("GET", statusPath(id), null)).path("runtimeStatus").asText()).isEqualTo("Suspended");

        assertThat(send("POST", statusPath(id) + "/resume?reason=go", null).statusCode()).isEqualTo(202);
        assertThat(awaitRuntimeStatus(id, "Completed").path("output").asText())
                .isEqualTo("approved: while suspended");

        assertThat(send("POST", statusPath(id) + "/suspend", null).statusCode()).isEqualTo(410);
        assertThat(send("POST", statusPath(id) + "/resume", null).statusCode()).isEqualTo(410);
        assertThat(send("POST", statusPath(unique("nobody")) + "/suspend", null).statusCode()).isEqualTo(404);
        assertThat(send("POST", statusPath(unique("nobody")) + "/resume", null).statusCode()).isEqualTo(404);
    }

    @Test
    void rewindRunsTheFailedActivityAgain() throws Exception {
        String id = unique("rewind");
        start("FailsOnce", id, null);
        awaitRuntimeStatus(id, "Failed");

        assertThat(send("POST", statusPath(id) + "/rewind?reason=fixed", null).statusCode()).isEqualTo(202);
        assertThat(awaitRuntimeStatus(id, "Completed").path("output").asText()).isEqualTo("recovered");

        HttpResponse<String> completed = send("POST", statusPath(id) + "/rewind", null);
        assertThat(completed.statusCode()).isEqualTo(410);
        assertThat(send("POST", statusPath(unique("nobody")) + "/rewind", null).statusCode()).isEqualTo(404);
    }

    @Test
    void rewindOfARunningInstanceIs400() throws Exception {
        String id = unique("rewind-running");
        start("WaitForApproval", id, null);
        awaitRuntimeStatus(id, "Running");

        HttpResponse<String> response = send("POST", statusPath(id) + "/rewind", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("Running").contains("only Failed");
        post(statusPath(id) + "/raiseEvent/Approval", "\"done\"");
    }

    @Test
    void restartRunsTheInstanceAgainUnderTheSameOrANewId() throws Exception {
        String id = unique("restart");
        start("HelloCities", id, "[\"Cork\"]");
        awaitRuntimeStatus(id, "Completed");

        HttpResponse<String> same = send("POST", statusPath(id) + "/restart?restartWithNewInstanceId=false", null);
        assertThat(same.statusCode()).isEqualTo(202);
        assertThat(json(same).path("id").asText()).isEqualTo(id);
        assertThat(same.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains(enc(id)));
        awaitRuntimeStatus(id, "Completed");

        HttpResponse<String> fresh = send("POST", statusPath(id) + "/restart", null);
        assertThat(fresh.statusCode()).isEqualTo(202);
        String newId = json(fresh).path("id").asText();
        assertThat(newId).isNotEqualTo(id);
        JsonNode restarted = awaitRuntimeStatus(newId, "Completed");
        assertThat(restarted.path("output").asText()).isEqualTo("Hello Cork!");
        assertThat(restarted.path("input")).isEqualTo(JSON.readTree("[\"Cork\"]"));

        HttpResponse<String> waited = send("POST", statusPath(id) + "/restart?timeout=30&pollingInterval=0.2", null);
        assertThat(waited.statusCode()).as("restart can wait as start does").isEqualTo(200);
        assertThat(JSON.readTree(waited.body()).asText()).isEqualTo("Hello Cork!");
    }

    @Test
    void restartOfAnUnknownInstanceIs400AndOfARunningOneUnderItsIdIs409() throws Exception {
        HttpResponse<String> unknown = send("POST", statusPath(unique("nobody")) + "/restart", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText())
                .isEqualTo("InstanceId does not match a valid orchestration instance.");

        String id = unique("restart-running");
        start("SlowOrchestration", id, "2000");
        HttpResponse<String> running = send("POST", statusPath(id) + "/restart?restartWithNewInstanceId=false",
                null);
        assertThat(running.statusCode()).isEqualTo(409);
    }

    // ------------------------------------------------------------------------------------------------ misc

    @Test
    void unmatchedPathsUnderTheApiAre404Json() throws Exception {
        for (String[] request : new String[][]{{"GET", API + "/nothing/here"}, {"POST", API + "/instances/x/fly"},
                {"PUT", API + "/instances/x"}, {"GET", API}, {"POST", API + "/instances/x"}}) {
            HttpResponse<String> response = send(request[0], request[1], null);
            assertThat(response.statusCode()).as(String.join(" ", request)).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("application/json"));
            assertThat(json(response).has("message") || json(response).has("error")).isTrue();
        }
    }

    @Test
    void oversizedBodiesAre413ForTheApiAndHttpFunctions() throws Exception {
        String big = "\"" + "x".repeat(BODY_LIMIT) + "\"";
        String id = unique("big");
        HttpResponse<String> start = post(API + "/orchestrators/HelloCities/" + id, big);
        assertThat(start.statusCode()).isEqualTo(413);
        assertThat(json(start).path("error").asText()).contains(String.valueOf(BODY_LIMIT));
        assertThat(send("GET", statusPath(id), null).statusCode()).isEqualTo(404);

        assertThat(post(statusPath(id) + "/raiseEvent/E", big).statusCode()).isEqualTo(413);
        assertThat(post("/api/greet", big).statusCode()).isEqualTo(413);

        HttpRequest chunked = HttpRequest.newBuilder(URI.create(host.baseUrl() + API + "/orchestrators/HelloCities"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        HttpResponse<String> chunkedResponse = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(chunkedResponse.statusCode()).as("a chunked body without Content-Length").isEqualTo(413);

        assertThat(post(API + "/orchestrators/HelloCities", "[\"" + "y".repeat(1000) + "\"]").statusCode())
                .as("a body under the limit").isEqualTo(202);
    }

    @Test
    void taskHubAndConnectionSelectAnotherHub() throws Exception {
        String otherHub = "Other" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String id = unique("elsewhere");
        String query = "?taskHub=" + otherHub + "&connection=OtherStorage";

        HttpResponse<String> started = post(API + "/orchestrators/HelloCities/" + id + query, "[\"Far\"]");
        assertThat(started.statusCode()).isEqualTo(202);
        String statusUrl = json(started).path("statusQueryGetUri").asText();
        assertThat(statusUrl).endsWith("?taskHub=" + otherHub + "&connection=OtherStorage");

        HttpResponse<String> there = send("GET", statusUrl, null);
        assertThat(there.statusCode()).as("no worker runs that hub").isEqualTo(202);
        assertThat(json(there).path("runtimeStatus").asText()).isEqualTo("Pending");
        assertThat(send("GET", statusPath(id), null).statusCode()).as("not in the app's hub").isEqualTo(404);
        JsonNode listed = json(send("GET", API + "/instances" + query + "&instanceIdPrefix=" + id, null));
        assertThat(listed).hasSize(1);

        assertThat(send("GET", statusPath(id) + "?taskHub=" + HUB + "&connection=AzureWebJobsStorage", null)
                .statusCode()).as("the app's hub, named explicitly").isEqualTo(404);
        assertThat(send("DELETE", statusPath(id) + query, null).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownConnectionsAndInvalidHubNamesAre400() throws Exception {
        HttpResponse<String> unknown = send("GET", API + "/instances/x?connection=Nope", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).contains("'Nope'").contains("app setting");

        HttpResponse<String> notAConnection = send("GET", API + "/instances/x?connection=NotAConnection", null);
        assertThat(notAConnection.statusCode()).isEqualTo(400);
        assertThat(json(notAConnection).path("error").asText()).contains("not a storage connection string");

        HttpResponse<String> badHub = send("GET", API + "/instances/x?taskHub=9-bad", null);
        assertThat(badHub.statusCode()).isEqualTo(400);
        assertThat(json(badHub).path("error").asText()).contains("'9-bad'");
    }

    @Test
    void anActivityInputThatDoesNotFitItsParameterFailsTheActivityWithDetails() throws Exception {
        String id = unique("bad-activity-input");
        start("BadActivityInput", id, null);

        String output = awaitRuntimeStatus(id, "Completed").path("output").asText();
        assertThat(output).startsWith("io.github.durablefunctions.DataConverter$DataConverterException | ")
                .contains("Function 'Square'").contains("cannot be deserialized into int")
                .contains("not a number");
    }
}
