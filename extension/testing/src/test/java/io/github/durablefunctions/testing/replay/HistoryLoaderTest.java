package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.history.HistoryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryLoaderTest {
    /** A backend client that knows the given instances' states and histories and nothing else. */
    private static OrchestrationServiceClient client(Map<String, OrchestrationState> states,
                                                     Map<String, List<HistoryEvent>> histories) {
        return (OrchestrationServiceClient) Proxy.newProxyInstance(HistoryLoaderTest.class.getClassLoader(),
                new Class<?>[]{OrchestrationServiceClient.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOrchestrationState" -> states.get((String) args[0]);
                    case "getOrchestrationHistory" -> histories.getOrDefault((String) args[0], List.of());
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static OrchestrationState state(String id, String executionId, String name,
                                            OrchestrationRuntimeStatus status) {
        Instant now = Instant.parse("2024-05-01T12:00:00Z");
        return new OrchestrationState(id, executionId, name, null, status, null, null, null, now, now, null, null,
                null, null, 0);
    }

    @Test
    void loadsAndExportsTheHistoryOfAnInstance(@TempDir Path dir) {
        RecordedHistory recorded = new HistoryRecorder(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1)
                .start("forecast-1", "\"Oslo\"")
                .completeActivities(t -> "\"x\"")
                .recorded();
        HistoryLoader loader = new HistoryLoader(client(
                Map.of("forecast-1", state("forecast-1", "exec-from-state", ReplayCheckTest.NAME,
                        OrchestrationRuntimeStatus.RUNNING)),
                Map.of("forecast-1", recorded.events())));

        RecordedHistory loaded = loader.load("forecast-1");
        assertThat(loaded.instanceId()).isEqualTo("forecast-1");
        assertThat(loaded.executionId()).isEqualTo("exec-from-state");
        assertThat(loaded.name()).isEqualTo(ReplayCheckTest.NAME);
        assertThat(loaded.events()).isEqualTo(recorded.events());

        Path file = dir.resolve("forecast-1.json");
        loader.export("forecast-1", file);
        assertThat(HistoryFile.read(file)).isEqualTo(loaded);
    }

    @Test
    void missingInstancesAndEmptyHistoriesAreClearErrors() {
        HistoryLoader loader = new HistoryLoader(client(
                Map.of("pending", state("pending", "e", "X", OrchestrationRuntimeStatus.PENDING)), Map.of()));
        assertThatThrownBy(() -> loader.load("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> loader.load("pending")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no history").hasMessageContaining("Pending");
        assertThatThrownBy(() -> loader.load(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
