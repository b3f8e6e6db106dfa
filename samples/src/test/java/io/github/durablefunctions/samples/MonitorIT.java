package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor pattern end to end: durable timers, continueAsNew, custom status, over HTTP on Azurite. */
@ExtendWith(AzuriteExtension.class)
class MonitorIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("MonitorIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void monitorKeepsCheckingOnTimersUntilTheJobCompletes() throws Exception {
        String id = Http.start(host, "JobMonitor",
                "{\"jobId\":\"monitor-it-1\",\"pollingIntervalSeconds\":1,\"maxChecks\":60}");

        JsonNode progress = Http.awaitCustomStatus(host, id, s -> s.path("checks").asInt() >= 2,
                Duration.ofSeconds(30));
        assertThat(progress.path("lastStatus").asText()).isEqualTo("Running");
        JsonNode running = Http.status(host, id, "?showHistory=true");
        assertThat(running.path("runtimeStatus").asText()).isEqualTo("Running");
        // continueAsNew keeps the history to one generation: at most one check and one timer
        assertThat(running.path("historyEvents").findValuesAsText("EventType").stream()
                .filter("TimerCreated"::equals).count()).isLessThanOrEqualTo(1);

        assertThat(Http.post(host.baseUrl() + "/api/jobs/monitor-it-1/complete", null).statusCode()).isEqualTo(204);

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("jobId").asText()).isEqualTo("monitor-it-1");
        assertThat(done.path("output").path("outcome").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("checks").asInt()).isGreaterThan(progress.path("checks").asInt());
    }

    @Test
    void monitorExpiresAfterMaxChecks() throws Exception {
        String id = Http.start(host, "JobMonitor",
                "{\"jobId\":\"monitor-it-never\",\"pollingIntervalSeconds\":1,\"maxChecks\":3}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));

        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("outcome").asText()).isEqualTo("Expired");
        assertThat(done.path("output").path("checks").asInt()).isEqualTo(3);
    }

    @Test
    void invalidInputFailsTheInstanceWithDetails() throws Exception {
        String id = Http.start(host, "JobMonitor", "{\"jobId\":\"\"}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));

        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(done.path("output").toString()).contains("JobMonitor needs");
    }
}
