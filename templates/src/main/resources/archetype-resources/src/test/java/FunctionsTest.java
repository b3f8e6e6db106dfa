package ${package};

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.testing.DurableTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs the orchestrator, the activity and the entity in memory with {@link DurableTestHarness}: bound as the host
 * binds them, with virtual time, without Azurite or a host. Every test gets an empty task hub.
 */
class FunctionsTest {
    @RegisterExtension
    final DurableTestHarness harness = DurableTestHarness.builder()
            .functions(HelloCities.class, SayHello.class, Counter.class)
            .build();

    @Test
    void helloCitiesCallsSayHelloForEachCityInOrder() {
        String id = harness.client().scheduleNewOrchestrationInstance("HelloCities");
        OrchestrationMetadata done = harness.waitForCompletion(id);
        assertEquals(OrchestrationRuntimeStatus.COMPLETED, done.getRuntimeStatus(),
                () -> "failure: " + done.getFailureDetails());
        assertEquals(List.of("Hello Tokyo!", "Hello Seattle!", "Hello London!"), done.readOutputAs(List.class));
    }

    @Test
    void helloCitiesWithAStubbedActivity() {
        try (DurableTestHarness stubbed = DurableTestHarness.builder()
                .functions(HelloCities.class)
                .replaceActivity("SayHello", ctx -> "Hi " + ctx.getInput(String.class))
                .build()
                .start()) {
            String id = stubbed.client().scheduleNewOrchestrationInstance("HelloCities");
            assertEquals(List.of("Hi Tokyo", "Hi Seattle", "Hi London"),
                    stubbed.waitForCompletion(id).readOutputAs(List.class));
        }
    }

    @Test
    void counterAddsEverySignal() {
        EntityInstanceId apples = new EntityInstanceId("Counter", "apples");
        for (int i = 0; i < 5; i++) {
            harness.entities().signalEntity(apples, "add", 2);
        }
        harness.entities().signalEntity(apples, "add");
        harness.waitForIdle();
        assertEquals(11, harness.entities().getEntityMetadata(apples, true).readStateAs(Integer.class));
    }
}
