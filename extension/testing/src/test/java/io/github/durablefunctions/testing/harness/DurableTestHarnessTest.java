package io.github.durablefunctions.testing.harness;

import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.testing.DurableTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness itself: annotated classes, stubs matched ignoring case, virtual time, and its errors. */
class DurableTestHarnessTest {
    @RegisterExtension
    final DurableTestHarness harness = DurableTestHarness.builder()
            .functions(GreetingFunctions.class)
            .replaceActivity("greet", ctx -> "Hi " + ctx.getInput(String.class)) // the activity is "Greet"
            .build();

    @Test
    void anAnnotatedOrchestratorRunsInVirtualTimeWithAStubbedActivity() {
        String id = harness.client().scheduleNewOrchestrationInstance("GreetTomorrow", "ana");
        OrchestrationMetadata done = harness.waitForCompletion(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class))
                .isEqualTo("Hi ana at " + DurableTestHarness.DEFAULT_START_TIME.plus(Duration.ofDays(1)));
        assertThat(harness.now()).isEqualTo(DurableTestHarness.DEFAULT_START_TIME.plus(Duration.ofDays(1)));
    }

    @Test
    void waitForIdleNeverMovesTimeAndAdvanceTimeDoes() {
        String id = harness.client().scheduleNewOrchestrationInstance("GreetTomorrow", "ben");
        harness.waitForIdle();
        assertThat(harness.now()).isEqualTo(DurableTestHarness.DEFAULT_START_TIME);
        assertThat(harness.metadata(id).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
        harness.advanceTime(Duration.ofHours(25));
        assertThat(harness.metadata(id).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }

    @Test
    void aHarnessThatIsNotRunningSaysSo() {
        DurableTestHarness idle = DurableTestHarness.builder().functions(GreetingFunctions.class).build();
        assertThatThrownBy(idle::client).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
        try (DurableTestHarness started = idle.start()) {
            assertThatThrownBy(started::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("running already");
        }
    }
}
