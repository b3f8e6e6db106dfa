package io.github.durablefunctions.testing.conformance;

import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.testing.InMemoryOrchestrationService;
import io.github.durablefunctions.testing.VirtualClock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/** The conformance scenarios on the in-memory backend, in virtual time. */
class InMemoryConformanceTest extends BackendConformanceTest {
    private static final Duration REAL_TIMEOUT = Duration.ofSeconds(20);

    @Override
    Backend newBackend(String taskHub) {
        VirtualClock clock = new VirtualClock(Instant.parse("2030-01-01T00:00:00Z"));
        InMemoryOrchestrationService service = new InMemoryOrchestrationService(clock);
        return new Backend() {
            @Override
            @SuppressWarnings("unchecked")
            public InMemoryOrchestrationService service() {
                return service;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public OrchestrationState awaitFinished(String instanceId) throws Exception {
                return service.awaitCompletion(instanceId, REAL_TIMEOUT);
            }

            @Override
            public void awaitQuiet(String instanceId, Predicate<OrchestrationState> condition) throws Exception {
                service.awaitIdle(REAL_TIMEOUT);
                OrchestrationState state = service.getOrchestrationState(instanceId, false);
                if (state == null || !condition.test(state)) {
                    throw new AssertionError("Idle, but instance " + instanceId + " is " + state);
                }
            }

            @Override
            public void close() {
                service.close();
            }
        };
    }
}
