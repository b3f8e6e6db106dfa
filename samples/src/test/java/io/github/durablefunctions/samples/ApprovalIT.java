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

/** Human interaction (approval with a timeout and escalation) end to end over HTTP on Azurite. */
@ExtendWith(AzuriteExtension.class)
class ApprovalIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("ApprovalIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void approvalRaisedThroughTheEventEndpointIsProcessed() throws Exception {
        String id = Http.start(host, "ApprovalWorkflow",
                "{\"requester\":\"ana\",\"item\":\"laptop\",\"timeoutSeconds\":120}");
        // the event name matches case-insensitively
        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/approvalevent"),
                "{\"approved\":true,\"approver\":\"bob\"}").statusCode()).isEqualTo(202);

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("outcome").asText()).isEqualTo("Approved");
        assertThat(done.path("output").path("decidedBy").asText()).isEqualTo("bob");
    }

    @Test
    void rejectionEndsTheWorkflow() throws Exception {
        String id = Http.start(host, "ApprovalWorkflow",
                "{\"requester\":\"ana\",\"item\":\"yacht\",\"timeoutSeconds\":120}");

        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/ApprovalEvent"),
                "{\"approved\":false,\"approver\":\"carol\"}").statusCode()).isEqualTo(202);

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));
        assertThat(done.path("output").path("outcome").asText()).isEqualTo("Rejected");
        assertThat(done.path("output").path("decidedBy").asText()).isEqualTo("carol");
    }

    @Test
    void noAnswerInTimeEscalates() throws Exception {
        String id = Http.start(host, "ApprovalWorkflow",
                "{\"requester\":\"ana\",\"item\":\"chair\",\"timeoutSeconds\":2}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));

        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").path("outcome").asText()).isEqualTo("Escalated");
        assertThat(done.path("output").path("decidedBy").asText()).isEqualTo("manager");
        // an answer after the escalation is refused: the instance is finished
        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/ApprovalEvent"),
                "{\"approved\":true,\"approver\":\"late\"}").statusCode()).isEqualTo(410);
    }
}
