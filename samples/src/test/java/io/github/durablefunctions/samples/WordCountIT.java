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

/** Fan-out/fan-in end to end: word counts of the shipped documents, computed by parallel activities. */
@ExtendWith(AzuriteExtension.class)
class WordCountIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("WordCountIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static JsonNode run(String input) throws Exception {
        HttpResponse<String> started = Http.post(host.baseUrl() + "/api/orchestrators/WordCount", input);
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode status = Http.awaitStatus200(Http.json(started).path("statusQueryGetUri").asText(),
                Duration.ofSeconds(60));
        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
        return status.path("output");
    }

    @Test
    void countsEveryShippedDocumentInParallelAndSumsThem() throws Exception {
        JsonNode output = run(null);

        assertThat(output.path("total").asInt()).isEqualTo(243);
        assertThat(output.path("perDocument").toString()).isEqualTo("{\"rain.txt\":43,\"sea.txt\":37,"
                + "\"bridge.txt\":30,\"garden.txt\":29,\"library.txt\":29,\"mountain.txt\":27,\"train.txt\":24,"
                + "\"clock.txt\":24}");
    }

    @Test
    void countsOnlyTheDocumentsGivenAsInput() throws Exception {
        JsonNode output = run("[\"sea.txt\",\"clock.txt\"]");

        assertThat(output.path("total").asInt()).isEqualTo(61);
        assertThat(output.path("perDocument").toString()).isEqualTo("{\"sea.txt\":37,\"clock.txt\":24}");
    }

    @Test
    void anUnknownDocumentFailsTheOrchestrationWithTheActivityError() throws Exception {
        HttpResponse<String> started = Http.post(host.baseUrl() + "/api/orchestrators/WordCount",
                "[\"sea.txt\",\"missing.txt\"]");
        JsonNode status = Http.awaitStatus200(Http.json(started).path("statusQueryGetUri").asText(),
                Duration.ofSeconds(60));

        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(status.path("output").asText()).contains("missing.txt");
    }

    @Test
    void aBodyThatIsNotJsonIsRejectedWith400() throws Exception {
        HttpResponse<String> response = Http.post(host.baseUrl() + "/api/orchestrators/WordCount", "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("must be JSON");
    }
}
