package io.github.durablefunctions.host;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.host.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Large payloads through the host (storage-layout.md §7): an orchestration started over the durable task HTTP API
 * with a multi-megabyte input, which it returns as its output, is reported in full by
 * {@code GET /runtime/webhooks/durabletask/instances/{id}}, while the Instances row holds blob URLs.
 */
@ExtendWith(AzuriteExtension.class)
class LargePayloadHttpIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String HUB = "BigIt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final String API = "/runtime/webhooks/durabletask";

    @TempDir
    static Path tmp;

    private static DurableHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = DurableHost.start(TestApp.hostOptions(tmp, TestApp.hostJson(HUB, 4)));
    }

    @AfterAll
    static void stopHost() {
        if (host != null) {
            host.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** About {@code length} characters of random text, with some multi-byte characters. */
    private static String randomText(long seed, int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ é漢";
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void theStatusOfAnInstanceWithAMultiMegabyteInputAndOutputReturnsBothInFull() throws Exception {
        String input = randomText(42, 3_000_000);
        String id = "big-echo-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> started = send("POST", API + "/orchestrators/EchoOrchestration/" + id,
                JSON.writeValueAsString(input));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

        AtomicReference<JsonNode> status = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> response = send("GET", API + "/instances/" + id, null);
            if (response.statusCode() != 200) {
                return false;
            }
            status.set(JSON.readTree(response.body()));
            return status.get().path("runtimeStatus").asText().equals("Completed");
        });

        JsonNode payload = status.get();
        assertThat(payload.path("input").isTextual()).isTrue();
        assertThat(payload.path("output").isTextual()).isTrue();
        assertThat(payload.path("input").asText().equals(input)).as("input returned in full").isTrue();
        assertThat(payload.path("output").asText().equals(input)).as("output returned in full").isTrue();

        // The payloads did not fit the row: it points at blobs (storage-layout.md §7.2).
        TableClient instances = new TableServiceClientBuilder().connectionString(AzuriteExtension.connectionString())
                .buildClient().getTableClient(HUB + "Instances");
        TableEntity row = instances.getEntity(id, "");
        String blobs = "/" + HUB.toLowerCase() + "-largemessages/" + id + "/history-";
        assertThat((String) row.getProperty("Input")).startsWith("http").contains(blobs);
        assertThat((String) row.getProperty("Output")).startsWith("http").contains(blobs);

        // showInput=false leaves the input out, the output stays.
        HttpResponse<String> noInput = send("GET", API + "/instances/" + id + "?showInput=false", null);
        assertThat(noInput.statusCode()).isEqualTo(200);
        JsonNode withoutInput = JSON.readTree(noInput.body());
        assertThat(withoutInput.path("input").isTextual()).isFalse();
        assertThat(withoutInput.path("output").asText().equals(input)).as("output returned in full").isTrue();
    }
}
