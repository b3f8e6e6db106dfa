package io.github.durablefunctions.testing.conformance;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationService;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationServiceSettings;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationState;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** The conformance scenarios on the Azure Storage backend, against a real Azurite, in real time. */
@ExtendWith(AzuriteExtension.class)
class AzureStorageConformanceTest extends BackendConformanceTest {
    private static final Set<OrchestrationRuntimeStatus> FINISHED = Set.of(OrchestrationRuntimeStatus.COMPLETED,
            OrchestrationRuntimeStatus.FAILED, OrchestrationRuntimeStatus.TERMINATED);

    @Override
    Backend newBackend(String taskHub) {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                AzureStorageOrchestrationServiceSettings.builder(AzuriteExtension.connectionString(), taskHub)
                        .maxQueuePollingInterval(Duration.ofSeconds(1)).build());
        return new Backend() {
            @Override
            @SuppressWarnings("unchecked")
            public AzureStorageOrchestrationService service() {
                return service;
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public OrchestrationState awaitFinished(String instanceId) {
                OrchestrationState[] state = new OrchestrationState[1];
                await("instance " + instanceId + " finished").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            state[0] = service.getOrchestrationState(instanceId, true);
                            return state[0] != null && FINISHED.contains(state[0].runtimeStatus());
                        });
                return state[0];
            }

            @Override
            public void awaitQuiet(String instanceId, Predicate<OrchestrationState> condition) {
                await("instance " + instanceId + " waiting").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            OrchestrationState state = service.getOrchestrationState(instanceId, false);
                            return state != null && condition.test(state);
                        });
            }

            @Override
            public void close() {
                service.close();
            }
        };
    }
}
