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

/** Two-factor verification (events raced against a timer with anyOf, three attempts) end to end on Azurite. */
@ExtendWith(AzuriteExtension.class)
class PhoneVerificationIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("PhoneVerificationIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static int awaitCode(String phone) {
        int[] code = new int[1];
        await("SMS to " + phone).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> sms = Http.get(host.baseUrl() + "/api/sms/" + phone);
            if (sms.statusCode() != 200) {
                return false;
            }
            code[0] = Http.json(sms).path("code").asInt();
            return true;
        });
        return code[0];
    }

    private static void answer(String id, int code) throws Exception {
        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/SmsChallengeResponse"), String.valueOf(code))
                .statusCode()).isEqualTo(202);
    }

    @Test
    void rightCodeOnTheThirdAttemptVerifies() throws Exception {
        String id = Http.start(host, "PhoneVerification", "{\"phoneNumber\":\"5550101\",\"timeoutSeconds\":120}");
        int code = awaitCode("5550101");
        int wrong = code == 1000 ? 1001 : code - 1;

        answer(id, wrong);
        Http.awaitCustomStatus(host, id, s -> s.path("attemptsLeft").asInt(-1) == 2, Duration.ofSeconds(20));
        answer(id, wrong);
        Http.awaitCustomStatus(host, id, s -> s.path("attemptsLeft").asInt(-1) == 1, Duration.ofSeconds(20));
        answer(id, code);

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(done.path("output").asBoolean()).isTrue();
        assertThat(done.path("customStatus").path("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void threeWrongCodesFail() throws Exception {
        String id = Http.start(host, "PhoneVerification", "{\"phoneNumber\":\"5550102\",\"timeoutSeconds\":120}");
        int code = awaitCode("5550102");
        int wrong = code == 9999 ? 9998 : code + 1;

        // events raised before the orchestration waits for them are buffered, not lost
        answer(id, wrong);
        answer(id, wrong);
        answer(id, wrong);

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));
        assertThat(done.path("output").asBoolean()).isFalse();
        assertThat(done.path("customStatus").path("attemptsLeft").asInt()).isEqualTo(0);
    }

    @Test
    void noAnswerBeforeTheDeadlineFails() throws Exception {
        String id = Http.start(host, "PhoneVerification", "{\"phoneNumber\":\"5550103\",\"timeoutSeconds\":2}");

        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(30));

        assertThat(done.path("output").asBoolean()).isFalse();
        assertThat(done.path("customStatus").path("result").asText()).isEqualTo("timed out");
    }
}
