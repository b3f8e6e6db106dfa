package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The aggregator: an entity that starts a digest orchestration every 10 notifications, end to end on Azurite. */
@ExtendWith(AzuriteExtension.class)
class NotificationAggregatorIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("AggregatorIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void everyTenthNotificationStartsADigestOrchestration() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<Integer>> posts = new ArrayList<>();
            for (int i = 1; i <= 25; i++) {
                String text = "message " + i;
                posts.add(pool.submit(() -> Http.postText(host.baseUrl() + "/api/notifications/ana", text)
                        .statusCode()));
            }
            for (Future<Integer> post : posts) {
                assertThat(post.get()).isEqualTo(202);
            }
        } finally {
            pool.shutdown();
        }

        JsonNode first = Http.awaitFinished(host, "digest-ana-1", Duration.ofSeconds(60));
        JsonNode second = Http.awaitFinished(host, "digest-ana-2", Duration.ofSeconds(60));
        assertThat(first.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(first.path("output").asText()).isEqualTo("Digest #1 for ana: 10 notifications");
        assertThat(second.path("output").asText()).isEqualTo("Digest #2 for ana: 10 notifications");
        assertThat(first.path("input").path("notifications")).hasSize(10);

        String entityUrl = host.baseUrl() + "/runtime/webhooks/durabletask/entities/NotificationInbox/ana";
        JsonNode[] inbox = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = Http.get(entityUrl);
            if (r.statusCode() != 200) {
                return false;
            }
            inbox[0] = Http.json(r);
            return inbox[0].path("pending").size() == 5;
        });
        assertThat(inbox[0].path("digestsSent").asInt()).isEqualTo(2);
        // 25 notifications: 20 went into the two digests, 5 wait; together each one exactly once
        List<String> all = new ArrayList<>();
        first.path("input").path("notifications").forEach(n -> all.add(n.asText()));
        second.path("input").path("notifications").forEach(n -> all.add(n.asText()));
        inbox[0].path("pending").forEach(n -> all.add(n.asText()));
        assertThat(all).hasSize(25).doesNotHaveDuplicates();
        assertThat(Http.status(host, "digest-ana-3", "").path("runtimeStatus").asText()).isNotEqualTo("Completed");
    }

    @Test
    void anEmptyNotificationIsRejected() throws Exception {
        assertThat(Http.postText(host.baseUrl() + "/api/notifications/ben", "  ").statusCode()).isEqualTo(400);
    }
}
