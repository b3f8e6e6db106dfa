package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rewind end to end with the real worker: an instance fails because an activity fails on its first call only; after
 * a rewind the activity runs again, the results that succeeded are kept, and the instance completes.
 */
@ExtendWith(AzuriteExtension.class)
class RewindEndToEndTest {
    static final String HUB = "RewindEndToEndHub";
    /** Calls per activity input. */
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Pipeline", ctx -> {
                    String a = ctx.callActivity("Step", ctx.getInstanceId() + "|a", String.class).await();
                    String b = ctx.callActivity("FlakyStep", ctx.getInstanceId() + "|b", String.class).await();
                    return a + "+" + b;
                })
                .addOrchestrator("ParentPipeline", ctx -> {
                    String child = ctx.callSubOrchestrator("Pipeline", null, ctx.getInstanceId() + "-child",
                            String.class).await();
                    String after = ctx.callActivity("Step", ctx.getInstanceId() + "|after", String.class).await();
                    return child + "/" + after;
                })
                .addActivity("Step", ctx -> {
                    String input = ctx.getInput(String.class);
                    CALLS.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet();
                    return input.substring(input.indexOf('|') + 1);
                })
                .addActivity("FlakyStep", ctx -> {
                    String input = ctx.getInput(String.class);
                    if (CALLS.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet() == 1) {
                        throw new IllegalStateException("first call fails: " + input);
                    }
                    return input.substring(input.indexOf('|') + 1);
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aRewoundInstanceRunsTheFailedActivityAgainAndCompletes() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Pipeline", null, "rewind-e2e-1");
        OrchestrationMetadata failed = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(failed.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(failed.getFailureDetails().getErrorMessage()).contains("first call fails");

        client.rewindInstance(id, "try again");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("a+b");
        assertThat(CALLS.get(id + "|a")).hasValue(1); // the succeeded result was kept
        assertThat(CALLS.get(id + "|b")).hasValue(2);
        assertThat(done.getFailureDetails()).isNull();
    }

    @Test
    void aParentWhoseSubOrchestrationFailedCompletesAfterTheRewindOfBoth() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("ParentPipeline", null, "rewind-e2e-parent");
        String child = id + "-child";
        assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(60), false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(client.getInstanceMetadata(child, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);

        client.rewindInstance(id);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("a+b/after");
        assertThat(client.getInstanceMetadata(child, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(CALLS.get(child + "|a")).hasValue(1);
        assertThat(CALLS.get(child + "|b")).hasValue(2);
        assertThat(CALLS.get(id + "|after")).hasValue(1);
    }
}
