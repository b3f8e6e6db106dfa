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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The async HTTP API pattern end to end: 202 + Location, polling with progress, 200 with the output. */
@ExtendWith(AzuriteExtension.class)
class ReportExportIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("ReportExportIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void longJobIsPolledThroughTheLocationHeaderUntilItsOutputArrives() throws Exception {
        HttpResponse<String> accepted = Http.post(host.baseUrl() + "/api/reports", "{\"sections\":5}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        // while it runs: 202, Retry-After, Location, and the progress in customStatus
        HttpResponse<String> polled = Http.get(location);
        assertThat(polled.statusCode()).isEqualTo(202);
        assertThat(polled.headers().firstValue("Retry-After")).isPresent();
        assertThat(polled.headers().firstValue("Location")).isPresent();
        int[] lastDone = {-1};
        await("progress").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = Http.get(location);
            if (r.statusCode() == 202) {
                JsonNode progress = Http.json(r).path("customStatus");
                assertThat(progress.path("sections").asInt()).isEqualTo(5);
                lastDone[0] = Math.max(lastDone[0], progress.path("sectionsDone").asInt());
            }
            return lastDone[0] >= 1 && lastDone[0] < 5;
        });

        JsonNode done = Http.awaitStatus200(location, Duration.ofSeconds(60));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("sections").toString())
                .isEqualTo("[\"Section 1\",\"Section 2\",\"Section 3\",\"Section 4\",\"Section 5\"]");
        assertThat(done.path("customStatus").path("sectionsDone").asInt()).isEqualTo(5);
    }

    @Test
    void waitingCallReturnsTheOutputDirectlyWhenTheJobFinishesInTime() throws Exception {
        HttpResponse<String> response = Http.post(host.baseUrl() + "/api/reports?waitSeconds=30", "{\"sections\":2}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.json(response).path("sections").toString()).isEqualTo("[\"Section 1\",\"Section 2\"]");
    }

    @Test
    void waitingCallFallsBackToCheckStatusWhenTheJobTakesLonger() throws Exception {
        HttpResponse<String> response = Http.post(host.baseUrl() + "/api/reports?waitSeconds=1", "{\"sections\":10}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(Http.json(response).path("statusQueryGetUri").asText()).contains("/instances/");
    }
}
