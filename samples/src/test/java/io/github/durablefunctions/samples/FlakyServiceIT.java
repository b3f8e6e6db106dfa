package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Retries with back-off end to end: attempts and durable-timer waits in history, success and giving up. */
@ExtendWith(AzuriteExtension.class)
class FlakyServiceIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("FlakyServiceIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void activityThatFailsTwiceSucceedsOnTheThirdAttemptAfterBackedOffTimers() throws Exception {
        String id = Http.start(host, "CallFlakyService", "{\"key\":\"flaky-it-1\",\"failuresBeforeSuccess\":2}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(60));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").asText()).isEqualTo("OK after 3 attempts");

        JsonNode history = Http.status(host, id, "?showHistory=true").path("historyEvents");
        List<String> types = history.findValuesAsText("EventType");
        assertThat(types.stream().filter("TaskFailed"::equals).count()).isEqualTo(2);
        assertThat(types.stream().filter("TaskCompleted"::equals).count()).isEqualTo(1);
        // back-off: the durable timers between attempts wait 1 s, then 2 s (coefficient 2)
        List<Duration> waits = new ArrayList<>();
        for (JsonNode event : history) {
            if (event.path("EventType").asText().equals("TimerCreated")) {
                waits.add(Duration.between(Instant.parse(event.path("Timestamp").asText()),
                        Instant.parse(event.path("FireAt").asText())));
            }
        }
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(2));
    }

    @Test
    void activityThatKeepsFailingFailsTheOrchestrationAfterFourAttempts() throws Exception {
        String id = Http.start(host, "CallFlakyService", "{\"key\":\"flaky-it-2\",\"failuresBeforeSuccess\":9}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(60));

        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(done.path("output").toString()).contains("Service unavailable (call 4)");
        List<String> types = Http.status(host, id, "?showHistory=true").path("historyEvents")
                .findValuesAsText("EventType");
        assertThat(types.stream().filter("TaskFailed"::equals).count()).isEqualTo(4);
        assertThat(types.stream().filter("TimerCreated"::equals).count()).isEqualTo(3);
    }
}
