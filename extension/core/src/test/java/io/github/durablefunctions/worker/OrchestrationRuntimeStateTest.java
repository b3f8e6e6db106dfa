package io.github.durablefunctions.worker;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link OrchestrationRuntimeState#getRuntimeStatus()}: the status the events imply (storage-layout.md §4). */
class OrchestrationRuntimeStateTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static List<HistoryEvent> started() {
        return List.of(new OrchestratorStartedEvent(-1, false, T0), new ExecutionStartedEvent(-1, false, T0,
                new OrchestrationInstance("i", "e"), null, "O", null, null, null, null, null, null, 0, false));
    }

    private static OrchestrationRuntimeState with(HistoryEvent... newEvents) {
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(started());
        for (HistoryEvent e : newEvents) {
            state.addEvent(e);
        }
        return state;
    }

    @Test
    void pendingBeforeTheExecutionStartedRunningAfter() {
        assertThat(new OrchestrationRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.PENDING);
        assertThat(with().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    }

    @Test
    void suspendedUntilAResumeFollows() {
        ExecutionSuspendedEvent suspend = new ExecutionSuspendedEvent(-1, false, T0, "wait");
        ExecutionResumedEvent resume = new ExecutionResumedEvent(-1, false, T0, "go");

        assertThat(with(suspend).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);
        assertThat(with(suspend, resume).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
        assertThat(with(suspend, resume, suspend).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);
    }

    @Test
    void theCompletionEventDecidesTheFinalStatus() {
        assertThat(with(new ExecutionCompletedEvent(0, false, T0, OrchestrationRuntimeStatus.COMPLETED, "1", null))
                .getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(with(new ExecutionCompletedEvent(0, false, T0, OrchestrationRuntimeStatus.FAILED, null,
                new FailureDetails("E", "m"))).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        OrchestrationRuntimeState terminated = with(new ExecutionTerminatedEvent(-1, false, T0, "why"),
                new ExecutionCompletedEvent(0, false, T0, OrchestrationRuntimeStatus.TERMINATED, "why", null));
        assertThat(terminated.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(terminated.isCompleted()).isTrue();
        assertThat(with(new ContinueAsNewEvent(0, false, T0, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "2", null))
                .getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.CONTINUED_AS_NEW);
    }

    @Test
    void aSuspendedInstanceThatIsTerminatedIsTerminated() {
        assertThat(with(new ExecutionSuspendedEvent(-1, false, T0, "wait"),
                new ExecutionTerminatedEvent(-1, false, T0, "stop"),
                new ExecutionCompletedEvent(0, false, T0, OrchestrationRuntimeStatus.TERMINATED, "stop", null))
                .getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    }

    @Test
    void customStatusIsCarried() {
        OrchestrationRuntimeState state = with();
        state.setCustomStatus("\"half way\"");
        assertThat(state.getCustomStatus()).isEqualTo("\"half way\"");
    }
}
