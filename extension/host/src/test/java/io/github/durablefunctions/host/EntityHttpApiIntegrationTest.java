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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entity functions and the entity endpoints of the durable task HTTP API (api-and-http.md §3.3 "Signal entity",
 * "Delete entity", "Get entity", "List entities") end to end: a host with the test app (function-style
 * {@code Counter}, class-style {@code Account}, {@code void} {@code Tally}, the {@code CounterCaller} orchestration)
 * on Azurite, driven over HTTP.
 */
@ExtendWith(AzuriteExtension.class)
class EntityHttpApiIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String HUB = "EntIt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final String API = "/runtime/webhooks/durabletask";
    private static final String CONTINUATION = "x-ms-continuation-token";

    @TempDir
    static Path tmp;

    private static DurableHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = DurableHost.start(TestApp.hostOptions(tmp, TestApp.hostJson(HUB, 8)));
    }

    @AfterAll
    static void stopHost() {
        if (host != null) {
            host.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        return sendTo(host, method, path, body, headers);
    }

    private static HttpResponse<String> sendTo(DurableHost target, String method, String path, String body,
                                               String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs an operation with a JSON body (or none). */
    private static HttpResponse<String> signal(String name, String key, String op, String jsonBody)
            throws IOException, InterruptedException {
        String path = entityPath(name, key) + "?op=" + op;
        return jsonBody == null ? send("POST", path, null)
                : send("POST", path, jsonBody, "Content-Type", "application/json");
    }

    private static void signalAccepted(String name, String key, String op, String jsonBody) throws Exception {
        HttpResponse<String> response = signal(name, key, op, jsonBody);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
    }

    private static String entityPath(String name, String key) {
        return API + "/entities/" + name + "/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Polls GET of the entity until its state (200) satisfies the condition; returns it. */
    private static JsonNode awaitState(String name, String key, Predicate<JsonNode> condition) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> response = send("GET", entityPath(name, key), null);
            if (response.statusCode() != 200) {
                return false;
            }
            last.set(JSON.readTree(response.body()));
            return condition.test(last.get());
        });
        return last.get();
    }

    private static void awaitGone(String name, String key) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> send("GET", entityPath(name, key), null).statusCode() == 404);
    }

    /** Every page of a list request (following the continuation header); the entities in page order. */
    private static List<JsonNode> listAll(String pathAndQuery) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            HttpResponse<String> page = token.isEmpty() ? send("GET", pathAndQuery, null)
                    : send("GET", pathAndQuery, null, CONTINUATION, token);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JSON.readTree(page.body()).forEach(all::add);
            token = page.headers().firstValue(CONTINUATION).orElseThrow();
            assertThat(++pages).as("pages").isLessThan(1000);
        } while (!token.isEmpty());
        return all;
    }

    private static List<String> keys(List<JsonNode> entities) {
        return entities.stream().map(e -> e.path("entityId").path("key").asText()).toList();
    }

    // ------------------------------------------------------------------------------------------------ signal, get

    @Test
    void signalsRunOnTheFunctionStyleEntityAndGetReturnsItsState() throws Exception {
        String key = unique("apples");
        signalAccepted("Counter", key, "add", "5");
        signalAccepted("counter", key, "add", "3");
        signalAccepted("COUNTER", key, "add", null); // no input: 1

        JsonNode state = awaitState("Counter", key, s -> s.asInt() == 9);
        assertThat(state.isInt()).isTrue();
        HttpResponse<String> get = send("GET", entityPath("Counter", key), null);
        assertThat(get.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(get.body()).isEqualTo("9");
    }

    @Test
    void aClassStyleEntityRunsItsMethodsAndAFailedOperationChangesNothing() throws Exception {
        String key = unique("alice");
        signalAccepted("Account", key, "deposit", "100");
        awaitState("Account", key, s -> s.path("balance").asInt() == 100);
        signalAccepted("Account", key, "withdraw", "30");
        signalAccepted("Account", key, "withdraw", "1000"); // fails: insufficient funds; its log entry is rolled back
        signalAccepted("Account", key, "deposit", "1");

        JsonNode state = awaitState("Account", key, s -> s.path("balance").asInt() == 71);
        List<String> log = new ArrayList<>();
        state.path("log").forEach(entry -> log.add(entry.asText()));
        assertThat(log).containsExactlyInAnyOrder("+100", "-30", "+1");
    }

    @Test
    void aFailingOperationOfAFunctionStyleEntityIsRolledBackAndTheEntityGoesOn() throws Exception {
        String key = unique("figs");
        signalAccepted("Counter", key, "add", "7");
        signalAccepted("Counter", key, "fail", "100"); // adds 100, then throws
        signalAccepted("Counter", key, "multiply", "3"); // no such operation
        signalAccepted("Counter", key, "add", "1");

        assertThat(awaitState("Counter", key, s -> s.asInt() >= 8).asInt()).isEqualTo(8);
    }

    @Test
    void aVoidEntityFunctionUnderItsOwnEntityNameGetsJsonAndTextBodies() throws Exception {
        String key = unique("t");
        signalAccepted("Tally", key, "note", "{\"a\": [1, 2]}");
        JsonNode first = awaitState("Tally", key, s -> s.path("count").asInt() == 1);
        assertThat(first.path("lastOperation").asText()).isEqualTo("note");
        assertThat(first.path("lastInput")).isEqualTo(JSON.readTree("{\"a\": [1, 2]}"));

        HttpResponse<String> text = send("POST", entityPath("Tally", key) + "?op=remark", "not { json",
                "Content-Type", "text/plain");
        assertThat(text.statusCode()).isEqualTo(202);
        JsonNode second = awaitState("Tally", key, s -> s.path("count").asInt() == 2);
        assertThat(second.path("lastOperation").asText()).isEqualTo("remark");
        assertThat(second.path("lastInput").isTextual()).isTrue();
        assertThat(second.path("lastInput").asText()).isEqualTo("not { json");

        HttpResponse<String> noOp = send("POST", entityPath("Tally", key), null);
        assertThat(noOp.statusCode()).isEqualTo(202);
        JsonNode third = awaitState("Tally", key, s -> s.path("count").asInt() == 3);
        assertThat(third.path("lastOperation").asText()).as("op defaults to the empty name").isEmpty();
        assertThat(third.path("lastInput").isNull()).isTrue();
    }

    @Test
    void aBodyDeclaredJsonThatIsNotJsonIs400AndSignalsNothing() throws Exception {
        String key = unique("bad-json");
        HttpResponse<String> response = send("POST", entityPath("Counter", key) + "?op=add", "{\"amount\": ",
                "Content-Type", "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("not valid JSON");
        // A later signal to the same entity is the first it runs.
        signalAccepted("Counter", key, "add", "2");
        assertThat(awaitState("Counter", key, s -> true).asInt()).isEqualTo(2);
    }

    @Test
    void keysWithReservedCharactersWorkWhenEncoded() throws Exception {
        String key = unique("a/b #?c@d");
        signalAccepted("Counter", key, "add", "4");
        assertThat(awaitState("Counter", key, s -> true).asInt()).isEqualTo(4);
        assertThat(keys(listAll(API + "/entities/counter?top=1000"))).contains(key);
    }

    // ------------------------------------------------------------------------------------------------ delete, 404

    @Test
    void deleteSignalsDeleteAndTheEntityIsGone() throws Exception {
        String key = unique("pears");
        signalAccepted("Counter", key, "add", "2");
        awaitState("Counter", key, s -> s.asInt() == 2);

        HttpResponse<String> deleted = send("DELETE", entityPath("Counter", key), null);
        assertThat(deleted.statusCode()).isEqualTo(202);
        awaitGone("Counter", key);
        assertThat(keys(listAll(API + "/entities/counter"))).doesNotContain(key);

        // The implicit delete of a class-style entity works the same way.
        String account = unique("bob");
        signalAccepted("Account", account, "deposit", "5");
        awaitState("Account", account, s -> s.path("balance").asInt() == 5);
        assertThat(send("DELETE", entityPath("Account", account), null).statusCode()).isEqualTo(202);
        awaitGone("Account", account);
    }

    @Test
    void getOfAnEntityThatNeverRanIs404() throws Exception {
        HttpResponse<String> response = send("GET", entityPath("Counter", unique("never")), null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("message").asText()).contains("@counter@never-");
    }

    @Test
    void signalsToAnEntityNameTheAppDoesNotDefineAre404() throws Exception {
        HttpResponse<String> post = signal("NoSuchEntity", "k", "add", "1");
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(post.body()).path("message").asText()).contains("'nosuchentity'")
                .contains("counter");
        assertThat(send("DELETE", entityPath("NoSuchEntity", "k"), null).statusCode()).isEqualTo(404);
        // an orchestrator is not an entity
        assertThat(signal("HelloCities", "k", "add", "1").statusCode()).isEqualTo(404);
    }

    @Test
    void theEmptyKeyAndNamesWithAtAre400() throws Exception {
        HttpResponse<String> empty = send("GET", API + "/entities/Counter/$", null);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(empty.body()).path("error").asText()).contains("'$'");
        assertThat(signal("Counter", "$", "add", "1").statusCode()).isEqualTo(400);

        HttpResponse<String> at = send("POST", API + "/entities/co%40unter/k?op=add", null);
        assertThat(at.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(at.body()).path("error").asText()).contains("'@'");
        assertThat(send("GET", API + "/entities/co%40unter", null).statusCode()).isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------------------ list

    @Test
    void listShowsEntitiesWithTheirLastOperationTimeAndStateOnlyWhenFetched() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String key = unique("list");
        signalAccepted("Counter", key, "add", "11");
        signalAccepted("Account", key, "deposit", "3");
        awaitState("Counter", key, s -> s.asInt() == 11);
        awaitState("Account", key, s -> s.path("balance").asInt() == 3);

        JsonNode counter = listAll(API + "/entities/Counter?fetchState=true").stream()
                .filter(e -> e.path("entityId").path("key").asText().equals(key)).findFirst().orElseThrow();
        assertThat(counter.path("entityId").path("name").asText()).isEqualTo("counter");
        assertThat(counter.path("state").asInt()).isEqualTo(11);
        Instant last = Instant.parse(counter.path("lastOperationTime").asText());
        assertThat(last).isAfter(before).isBefore(Instant.now().plusSeconds(1));

        JsonNode withoutState = listAll(API + "/entities/counter").stream()
                .filter(e -> e.path("entityId").path("key").asText().equals(key)).findFirst().orElseThrow();
        assertThat(withoutState.has("state")).isFalse();
        assertThat(withoutState.path("lastOperationTime").asText()).isNotEmpty();

        List<JsonNode> all = listAll(API + "/entities?fetchState=true");
        assertThat(all).anySatisfy(e -> {
            assertThat(e.path("entityId").path("name").asText()).isEqualTo("account");
            assertThat(e.path("entityId").path("key").asText()).isEqualTo(key);
            assertThat(e.path("state").path("balance").asInt()).isEqualTo(3);
        });
        assertThat(listAll(API + "/entities/account")).extracting(e -> e.path("entityId").path("name").asText())
                .containsOnly("account");
    }

    @Test
    void listPagesByTopAndTheContinuationHeader() throws Exception {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = unique("page" + i);
            mine.add(key);
            signalAccepted("Counter", key, "add", String.valueOf(i + 1));
        }
        for (int i = 0; i < 3; i++) {
            int expected = i + 1;
            awaitState("Counter", mine.get(i), s -> s.asInt() == expected);
        }

        HttpResponse<String> first = send("GET", API + "/entities/counter?top=1", null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).size()).isLessThanOrEqualTo(1);
        assertThat(first.headers().firstValue(CONTINUATION)).hasValueSatisfying(t -> assertThat(t).isNotEmpty());

        List<String> paged = keys(listAll(API + "/entities/counter?top=1"));
        assertThat(paged).containsAll(mine).doesNotHaveDuplicates();
    }

    @Test
    void listFiltersByLastOperationTime() throws Exception {
        String key = unique("timed");
        signalAccepted("Counter", key, "add", "1");
        awaitState("Counter", key, s -> s.asInt() == 1);

        assertThat(keys(listAll(API + "/entities/counter?lastOperationTimeFrom=2000-01-01T00:00:00Z")))
                .contains(key);
        String future = Instant.now().plus(Duration.ofDays(1)).toString();
        assertThat(listAll(API + "/entities/counter?lastOperationTimeFrom=" + future)).isEmpty();
        assertThat(keys(listAll(API + "/entities/counter?lastOperationTimeTo=2000-01-01T00:00:00Z")))
                .doesNotContain(key);
    }

    @Test
    void badListParametersAre400() throws Exception {
        for (String query : List.of("top=0", "top=1001", "top=many", "fetchState=maybe",
                "lastOperationTimeFrom=yesterday")) {
            HttpResponse<String> response = send("GET", API + "/entities?" + query, null);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).path("error").asText()).as(query).isNotEmpty();
        }
        HttpResponse<String> badToken = send("GET", API + "/entities", null, CONTINUATION, "not-a-token");
        assertThat(badToken.statusCode()).isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------------------ clean-up

    @Test
    void cleanUpReleasesALockHeldByATerminatedOrchestrationAndKeepsRecentlyEmptiedEntities() throws Exception {
        String emptied = unique("emptied");
        signalAccepted("Counter", emptied, "add", "1");
        awaitState("Counter", emptied, s -> s.asInt() == 1);
        assertThat(send("DELETE", entityPath("Counter", emptied), null).statusCode()).isEqualTo(202);
        awaitGone("Counter", emptied);

        String key = unique("locked");
        signalAccepted("Counter", key, "add", "1");
        awaitState("Counter", key, s -> s.asInt() == 1);
        HttpResponse<String> started = send("POST", API + "/orchestrators/LockAndWait", "\"" + key + "\"",
                "Content-Type", "application/json");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).path("id").asText();
        awaitInstance(id, s -> s.path("customStatus").asText().equals("locked"));

        signalAccepted("Counter", key, "add", "10"); // waits in the entity's queue behind the lock
        assertThat(send("POST", API + "/instances/" + id + "/terminate?reason=gone", null).statusCode())
                .isEqualTo(202);
        awaitInstance(id, s -> s.path("runtimeStatus").asText().equals("Terminated"));

        HttpResponse<String> cleaned = send("POST", "/api/entity-storage/clean", null);
        assertThat(cleaned.statusCode()).as(cleaned.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(cleaned.body());
        assertThat(result.path("orphanedLocksReleased").asInt()).isEqualTo(1);
        assertThat(result.path("emptyEntitiesRemoved").asInt())
                .as("empty entities idle for less than the 30-minute reorder window stay").isZero();
        assertThat(result.path("continuationToken").isNull()).isTrue();

        assertThat(awaitState("Counter", key, s -> s.asInt() != 1).asInt()).as("the queued add ran").isEqualTo(11);
    }

    @Test
    void withAZeroReorderWindowFromHostJsonCleanUpRemovesEmptiedEntities(@TempDir Path dir) throws Exception {
        String hub = "EntClean" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String hostJson = """
                {
                  "version": "2.0",
                  "extensions": {
                    "durableTask": {
                      "hubName": "%s",
                      "entityMessageReorderWindowInMinutes": 0,
                      "storageProvider": { "partitionCount": 1, "maxQueuePollingInterval": "00:00:01" }
                    }
                  }
                }""".formatted(hub);
        try (DurableHost other = DurableHost.start(TestApp.hostOptions(dir, hostJson))) {
            String path = API + "/entities/Counter/k";
            assertThat(sendTo(other, "POST", path + "?op=add", "2", "Content-Type", "application/json")
                    .statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sendTo(other, "GET", path, null).body().equals("2"));
            assertThat(sendTo(other, "DELETE", path, null).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sendTo(other, "GET", path, null).statusCode() == 404);

            JsonNode first = JSON.readTree(sendTo(other, "POST", "/api/entity-storage/clean", null).body());
            assertThat(first.path("emptyEntitiesRemoved").asInt()).isEqualTo(1);
            assertThat(first.path("orphanedLocksReleased").asInt()).isZero();
            JsonNode second = JSON.readTree(sendTo(other, "POST", "/api/entity-storage/clean", null).body());
            assertThat(second.path("emptyEntitiesRemoved").asInt()).as("the row is gone").isZero();
        }
    }

    /** Polls the instance status until it satisfies the condition. */
    private static void awaitInstance(String instanceId, Predicate<JsonNode> condition) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = send("GET", API + "/instances/" + instanceId, null);
            return r.statusCode() != 404 && condition.test(JSON.readTree(r.body()));
        });
    }

    // ------------------------------------------------------------------------------------------------ orchestration

    @Test
    void anOrchestrationCallsTheEntityAndSeesAFailedOperationAsAnException() throws Exception {
        String key = unique("caller");
        HttpResponse<String> started = send("POST", API + "/orchestrators/CounterCaller", "\"" + key + "\"",
                "Content-Type", "application/json");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String statusUri = JSON.readTree(started.body()).path("statusQueryGetUri").asText();

        AtomicReference<JsonNode> status = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(statusUri)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            status.set(JSON.readTree(r.body()));
            return r.statusCode() == 200;
        });
        assertThat(status.get().path("runtimeStatus").asText()).as(status.get().toString()).isEqualTo("Completed");
        assertThat(status.get().path("output").asText()).isEqualTo(
                "5 | java.lang.IllegalStateException: counter failed on purpose at 5 | 5");
        assertThat(awaitState("Counter", key, s -> true).asInt()).isEqualTo(5);
    }
}
