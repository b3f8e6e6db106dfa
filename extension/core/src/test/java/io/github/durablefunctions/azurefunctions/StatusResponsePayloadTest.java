package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusResponsePayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OrchestrationMetadata metadata(String input, String output, String customStatus) {
        return new OrchestrationMetadata("id-1", "exec", "Hello", OrchestrationRuntimeStatus.CONTINUED_AS_NEW,
                Instant.parse("2026-11-21T05:06:07.891Z"), Instant.parse("2026-11-21T05:06:09.001Z"), null, input,
                output, customStatus, null, Map.of(), true, new JacksonDataConverter());
    }

    @Test
    void writesTheFieldsInOrderWithJsonTokensAndSecondPrecisionTimes() throws Exception {
        StatusResponsePayload payload = StatusResponsePayload.of(metadata("{\"a\":[1,2]}", "\"done\"", "42"), true,
                JSON);
        assertThat(JSON.writeValueAsString(payload)).isEqualTo("{\"name\":\"Hello\",\"instanceId\":\"id-1\","
                + "\"runtimeStatus\":\"ContinuedAsNew\",\"input\":{\"a\":[1,2]},\"customStatus\":42,"
                + "\"output\":\"done\",\"createdTime\":\"2026-11-21T05:06:07Z\","
                + "\"lastUpdatedTime\":\"2026-11-21T05:06:09Z\"}");
    }

    @Test
    void absentPayloadsAreNullAndTextThatIsNotJsonBecomesAString() throws Exception {
        StatusResponsePayload payload = StatusResponsePayload.of(metadata("not json", null, null), true, JSON);
        assertThat(payload.input().isTextual()).isTrue();
        assertThat(payload.input().asText()).isEqualTo("not json");
        assertThat(JSON.writeValueAsString(payload)).contains("\"customStatus\":null,\"output\":null");
    }

    @Test
    void theInputIsLeftOutWhenNotRequested() {
        assertThat(StatusResponsePayload.of(metadata("[1]", null, null), false, JSON).input()).isNull();
    }
}
