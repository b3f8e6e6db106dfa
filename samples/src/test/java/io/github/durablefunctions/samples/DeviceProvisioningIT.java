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

/** Sub-orchestrations end to end: parallel children with chosen IDs, success and failure propagation. */
@ExtendWith(AzuriteExtension.class)
class DeviceProvisioningIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("DeviceProvisioningIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void parentCollectsChildOutputsAndChildFailures() throws Exception {
        String id = Http.start(host, "ProvisionDevices", "[\"sensor-1\",\"sensor-2\",\"broken-3\"]");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(60));

        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        JsonNode provisioned = done.path("output").path("provisioned");
        assertThat(provisioned.path("sensor-1").asText()).startsWith("key-");
        assertThat(provisioned.path("sensor-2").asText()).startsWith("key-").isNotEqualTo(
                provisioned.path("sensor-1").asText());
        assertThat(done.path("output").path("failed").path("broken-3").asText())
                .isEqualTo("Device 'broken-3' failed its self-test");

        // each child is an instance of its own, with the ID the parent chose
        JsonNode child = Http.status(host, id + ":sensor-1", "");
        assertThat(child.path("name").asText()).isEqualTo("ProvisionDevice");
        assertThat(child.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(child.path("output").asText()).isEqualTo(provisioned.path("sensor-1").asText());
        JsonNode failedChild = Http.status(host, id + ":broken-3", "");
        assertThat(failedChild.path("runtimeStatus").asText()).isEqualTo("Failed");
    }
}
