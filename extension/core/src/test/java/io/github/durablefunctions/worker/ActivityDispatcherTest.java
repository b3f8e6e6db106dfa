package io.github.durablefunctions.worker;

import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ActivityDispatcherTest {
    private static final OrchestrationInstance INSTANCE = new OrchestrationInstance("i1", "e1");

    private final RecordingService service = new RecordingService();

    private TaskMessage run(TaskActivity activity, String inputJson) {
        ActivityDispatcher dispatcher = new ActivityDispatcher(service, Map.of("Greet", activity),
                new JacksonDataConverter(), 1);
        TaskScheduledEvent scheduled = new TaskScheduledEvent(7, false, Instant.now(), "Greet", null, inputJson,
                null, null);
        dispatcher.process(new ActivityWorkItem("m1", new TaskMessage(scheduled, INSTANCE)) {
        });
        assertThat(service.calls).containsExactly("complete activity");
        return service.activityResponses.get(0);
    }

    @Test
    void theResultIsSentAsTaskCompletedForTheScheduledTask() {
        TaskMessage response = run(ctx -> "Hello " + ctx.getInput(String.class) + "!", "\"Tokyo\"");

        assertThat(response.orchestrationInstance()).isEqualTo(INSTANCE);
        TaskCompletedEvent completed = (TaskCompletedEvent) response.event();
        assertThat(completed.taskScheduledId()).isEqualTo(7);
        assertThat(completed.result()).isEqualTo("\"Hello Tokyo!\"");
    }

    @Test
    void theResponseIsTimestampedByTheGivenClock() {
        Instant t = Instant.parse("2031-02-03T04:05:06Z");
        ActivityDispatcher dispatcher = new ActivityDispatcher(service, Map.of("Greet", ctx -> "hi"),
                new JacksonDataConverter(), 1, Clock.fixed(t, ZoneOffset.UTC));
        TaskScheduledEvent scheduled = new TaskScheduledEvent(7, false, t, "Greet", null, null, null, null);

        dispatcher.process(new ActivityWorkItem("m1", new TaskMessage(scheduled, INSTANCE)) {
        });

        assertThat(service.activityResponses.get(0).event().timestamp()).isEqualTo(t);
    }

    @Test
    void anErrorThrownByTheActivityFailsTheTaskWithItsDetails() {
        TaskMessage response = run(ctx -> {
            throw new AssertionError("broken: " + ctx.getInput(String.class));
        }, "\"x\"");

        TaskFailedEvent failed = (TaskFailedEvent) response.event();
        assertThat(failed.taskScheduledId()).isEqualTo(7);
        assertThat(failed.failureDetails().getErrorType()).isEqualTo("java.lang.AssertionError");
        assertThat(failed.failureDetails().getErrorMessage()).isEqualTo("broken: x");
    }
}
