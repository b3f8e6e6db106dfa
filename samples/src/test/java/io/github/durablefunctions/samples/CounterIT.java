package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The counter entity (add, reset, get, delete) end to end over HTTP on Azurite, through the app's routes and the
 * built-in entity endpoints. */
@ExtendWith(AzuriteExtension.class)
class CounterIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("CounterIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static String counterUrl(String key) {
        return host.baseUrl() + "/api/counters/" + key;
    }

    private static void awaitValue(String key, int expected) {
        await("counter " + key + " = " + expected).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    HttpResponse<String> r = Http.get(counterUrl(key));
                    return r.statusCode() == 200 && r.body().trim().equals(Integer.toString(expected));
                });
    }

    @Test
    void addResetAndGetThroughTheAppsRoutes() throws Exception {
        assertThat(Http.get(counterUrl("apples")).statusCode()).isEqualTo(404);

        assertThat(Http.post(counterUrl("apples") + "/add", "5").statusCode()).isEqualTo(202);
        assertThat(Http.post(counterUrl("apples") + "/add", "3").statusCode()).isEqualTo(202);
        assertThat(Http.post(counterUrl("apples") + "/add", null).statusCode()).isEqualTo(202); // default 1
        awaitValue("apples", 9);

        assertThat(Http.post(counterUrl("apples") + "/reset", null).statusCode()).isEqualTo(202);
        awaitValue("apples", 0);
    }

    @Test
    void builtInEntityEndpointsSignalReadAndDelete() throws Exception {
        String entityUrl = host.baseUrl() + "/runtime/webhooks/durabletask/entities/Counter/pears";
        assertThat(Http.post(entityUrl + "?op=add", "2").statusCode()).isEqualTo(202);
        assertThat(Http.post(entityUrl + "?op=add", "40").statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = Http.get(entityUrl);
            return r.statusCode() == 200 && r.body().trim().equals("42");
        });
        // the app's own route reads the same entity (names are case-insensitive)
        awaitValue("pears", 42);

        JsonNode list = Http.json(Http.get(host.baseUrl()
                + "/runtime/webhooks/durabletask/entities/counter?fetchState=true"));
        assertThat(list.isArray()).isTrue();
        boolean found = false;
        for (JsonNode e : list) {
            if (e.path("entityId").path("key").asText().equals("pears")) {
                found = true;
                assertThat(e.path("entityId").path("name").asText()).isEqualTo("counter");
                assertThat(e.path("state").asInt()).isEqualTo(42);
            }
        }
        assertThat(found).as("pears in %s", list).isTrue();

        assertThat(Http.delete(entityUrl).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(entityUrl).statusCode() == 404);
    }

    @Test
    void concurrentAddsAreNeverLost() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> posts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                posts.add(pool.submit(() -> Http.post(counterUrl("plums") + "/add", "1").statusCode()));
            }
            for (Future<Integer> post : posts) {
                assertThat(post.get()).isEqualTo(202);
            }
        } finally {
            pool.shutdown();
        }
        awaitValue("plums", 200);
    }

    @Test
    void anUnknownOperationFailsAloneAndTheCounterKeepsServing() throws Exception {
        assertThat(Http.post(counterUrl("figs") + "/add", "7").statusCode()).isEqualTo(202);
        assertThat(Http.post(counterUrl("figs") + "/multiply", "3").statusCode()).isEqualTo(202);
        assertThat(Http.post(counterUrl("figs") + "/add", "1").statusCode()).isEqualTo(202);
        awaitValue("figs", 8);
    }
}
