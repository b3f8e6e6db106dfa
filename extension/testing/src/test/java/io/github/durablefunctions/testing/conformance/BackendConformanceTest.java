package io.github.durablefunctions.testing.conformance;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.testing.replay.HistoryLoader;
import io.github.durablefunctions.testing.replay.ReplayCheck;
import io.github.durablefunctions.testing.replay.ReplayCheckResult;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same scenarios on every backend (issue #6 "conformance"): subclasses supply a backend, its clock and a way to
 * wait for an instance to finish; everything else — the core worker, the client, the functions, the assertions — is
 * shared. A behaviour that differs between the in-memory backend and Azure Storage fails here.
 */
abstract class BackendConformanceTest {
    /** What a backend under test provides. */
    interface Backend extends AutoCloseable {
        <S extends OrchestrationService & OrchestrationServiceClient> S service();

        Clock clock();

        /** Waits (in real or virtual time) until the instance has finished and returns its state. */
        OrchestrationState awaitFinished(String instanceId) throws Exception;

        /** Waits until nothing more can happen without an outside event or timer (no time moves). */
        void awaitQuiet(String instanceId, java.util.function.Predicate<OrchestrationState> condition)
                throws Exception;

        @Override
        void close();
    }

    /** Three activities in a row. */
    private static final OrchestratorFunction<List<String>> CHAIN = ctx -> {
        List<String> out = new ArrayList<>();
        for (String city : List.of("Tokyo", "Seattle", "London")) {
            out.add(ctx.callActivity("Hello", city, String.class).await());
        }
        return out;
    };

    abstract Backend newBackend(String taskHub);

    private Backend backend;
    private DurableTaskWorker worker;
    private DurableTaskClient client;
    private final String prefix = "c" + UUID.randomUUID().toString().substring(0, 8) + "-";

    @BeforeEach
    void start() {
        backend = newBackend("Conformance" + getClass().getSimpleName().replace("ConformanceTest", ""));
        worker = DurableTaskWorker.builder().service(backend.service()).clock(backend.clock())
                .addOrchestrator("Chain", CHAIN)
                .addOrchestrator("FanOut", ctx -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    for (int i = 1; i <= 20; i++) {
                        tasks.add(ctx.callActivity("Square", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
                })
                .addOrchestrator("Parent", ctx -> {
                    String ok = ctx.callSubOrchestrator("Chain", null, ctx.getInstanceId() + "-child", List.class)
                            .await().toString();
                    try {
                        ctx.callSubOrchestrator("Failing", null, String.class).await();
                        return ok + " / no failure";
                    } catch (TaskFailedException e) {
                        return ok + " / " + e.getErrorDetails().getErrorType();
                    }
                })
                .addOrchestrator("Failing", ctx -> ctx.callActivity("Fail", "boom", String.class).await())
                .addOrchestrator("WaitForEvent", ctx -> {
                    ctx.setCustomStatus("waiting");
                    return ctx.waitForExternalEvent("Go", String.class).await();
                })
                .addOrchestrator("Timer", ctx -> {
                    Instant before = ctx.getCurrentInstant();
                    ctx.createTimer(Duration.ofSeconds(2)).await();
                    return Duration.between(before, ctx.getCurrentInstant()).toMillis();
                })
                .addOrchestrator("Counting", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    if (n >= 5) {
                        return n;
                    }
                    ctx.continueAsNew(n + 1);
                    return null;
                })
                .addOrchestrator("UsesCounter", ctx -> {
                    EntityInstanceId counter = new EntityInstanceId("Counter", ctx.getInstanceId());
                    ctx.signalEntity(counter, "add", 5);
                    ctx.callEntity(counter, "add", 2, Void.class).await();
                    return ctx.callEntity(counter, "get", null, Integer.class).await();
                })
                .addActivity("Hello", ctx -> "Hello " + ctx.getInput(String.class) + "!")
                .addActivity("Square", ctx -> {
                    int i = ctx.getInput(Integer.class);
                    return i * i;
                })
                .addActivity("Fail", ctx -> {
                    throw new IllegalStateException(ctx.getInput(String.class));
                })
                .addEntity("counter", () -> operation -> {
                    int value = operation.getState().getState(Integer.class, 0);
                    switch (operation.getName()) {
                        case "add" -> operation.getState().setState(value + operation.getInput(Integer.class));
                        case "get" -> {
                            return value;
                        }
                        default -> throw new UnsupportedOperationException(operation.getName());
                    }
                    return null;
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(backend.service(), new JacksonDataConverter(),
                MessageSorter.DEFAULT_REORDER_WINDOW, backend.clock());
    }

    @AfterEach
    void stop() {
        worker.close();
        backend.close();
    }

    private OrchestrationState run(String name, Object input) throws Exception {
        String id = client.scheduleNewOrchestrationInstance(name, input, prefix + name + "-" + UUID.randomUUID());
        return backend.awaitFinished(id);
    }

    @Test
    void chainingFanOutAndSubOrchestrations() throws Exception {
        OrchestrationState chain = run("Chain", null);
        assertThat(chain.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(chain.output()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");

        // The recorded history, loaded back through the SPI, replays against the same code (the replay check).
        ReplayCheckResult replay = ReplayCheck.builder().addOrchestrator("Chain", CHAIN).build()
                .check(new HistoryLoader(backend.service()).load(chain.instanceId()));
        assertThat(replay.isOk()).as(replay.describe()).isTrue();

        OrchestrationState fanOut = run("FanOut", null);
        assertThat(fanOut.output()).isEqualTo("2870");
        assertThat(backend.service().getOrchestrationHistory(fanOut.instanceId()))
                .filteredOn(e -> e instanceof TaskCompletedEvent).hasSize(20);

        OrchestrationState parent = run("Parent", null);
        // The child failed because its activity did: the parent sees the child's TaskFailedException.
        assertThat(parent.output()).isEqualTo("\"[Hello Tokyo!, Hello Seattle!, Hello London!] / "
                + TaskFailedException.class.getName() + "\"");
    }

    @Test
    void aFailingActivityFailsTheOrchestrationWithDetails() throws Exception {
        OrchestrationState failed = run("Failing", null);
        assertThat(failed.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(failed.failureDetails().getErrorType()).isEqualTo(TaskFailedException.class.getName());
        assertThat(failed.failureDetails().getErrorMessage()).contains("Fail").contains("boom");
    }

    @Test
    void externalEventsTerminateSuspendAndResume() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("WaitForEvent", null, prefix + "event");
        backend.awaitQuiet(id, s -> "\"waiting\"".equals(s.customStatus()));
        client.suspendInstance(id, "pause");
        backend.awaitQuiet(id, s -> s.runtimeStatus() == OrchestrationRuntimeStatus.SUSPENDED);
        client.raiseEvent(id, "Go", "went");
        client.resumeInstance(id, "go on");
        OrchestrationState done = backend.awaitFinished(id);
        assertThat(done.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("\"went\"");

        String stuck = client.scheduleNewOrchestrationInstance("WaitForEvent", null, prefix + "terminated");
        backend.awaitQuiet(stuck, s -> "\"waiting\"".equals(s.customStatus()));
        client.terminate(stuck, "enough");
        OrchestrationState terminated = backend.awaitFinished(stuck);
        assertThat(terminated.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(terminated.output()).isEqualTo("\"enough\"");
    }

    @Test
    void timersContinueAsNewAndEntities() throws Exception {
        OrchestrationState timer = run("Timer", null);
        assertThat(Long.parseLong(timer.output())).as("ms between before and after a 2 s timer")
                .isGreaterThanOrEqualTo(2_000);

        OrchestrationState counting = run("Counting", 0);
        assertThat(counting.output()).isEqualTo("5");
        assertThat(counting.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

        OrchestrationState entity = run("UsesCounter", null);
        assertThat(entity.output()).as("a signal then a call, in order from one sender").isEqualTo("7");
    }

    @Test
    void queryAndPurge() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(run("Chain", null).instanceId());
        }
        List<String> listed = client.queryInstances(new OrchestrationStatusQuery().setInstanceIdPrefix(prefix + "Chain"))
                .getOrchestrationState().stream().map(OrchestrationMetadata::getInstanceId).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(client.purgeInstance(ids.get(0)).getDeletedInstanceCount()).isEqualTo(1);
        assertThat(backend.service().getOrchestrationState(ids.get(0), false)).isNull();
        assertThat(backend.service().getOrchestrationHistory(ids.get(0))).isEmpty();
        assertThat(client.purgeInstance(ids.get(0)).getDeletedInstanceCount()).isZero();
        assertThat(backend.service().getOrchestrationState(ids.get(1), false)).as("the others stay").isNotNull();
    }
}
