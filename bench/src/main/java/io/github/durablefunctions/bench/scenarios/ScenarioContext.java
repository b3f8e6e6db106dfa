package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationService;
import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.Scale;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * What a scenario works with: the scale, a client that starts instances, raises events and signals entities (its
 * storage transactions count as the scenario's, with the worker's), an observer client on its own service instance
 * that only watches for completion (its transactions are reported apart), and a pool of starter threads.
 */
public final class ScenarioContext {
    /** Client threads that start instances, raise events and send signals concurrently. */
    public static final int STARTER_THREADS = 8;
    /** Non-terminal statuses: an instance in none of these has completed, failed or been terminated. */
    private static final List<OrchestrationRuntimeStatus> UNFINISHED = List.of(OrchestrationRuntimeStatus.PENDING,
            OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.SUSPENDED,
            OrchestrationRuntimeStatus.CONTINUED_AS_NEW);

    private final Scale scale;
    private final AzureStorageOrchestrationService workerService;
    private final AzureStorageOrchestrationService clientService;
    private final AzureStorageOrchestrationService observerService;
    private final DurableTaskClient client;
    private final DurableTaskClient observer;
    private final ExecutorService starters;
    private final long deadlineNanos;

    public ScenarioContext(Scale scale, AzureStorageOrchestrationService workerService,
                           AzureStorageOrchestrationService clientService,
                           AzureStorageOrchestrationService observerService, DurableTaskClient client,
                           DurableTaskClient observer, ExecutorService starters, Duration timeLimit) {
        this.scale = scale;
        this.workerService = workerService;
        this.clientService = clientService;
        this.observerService = observerService;
        this.client = client;
        this.observer = observer;
        this.starters = starters;
        this.deadlineNanos = System.nanoTime() + timeLimit.toNanos();
    }

    public Scale scale() {
        return scale;
    }

    /** The client that starts instances, raises events and signals entities. */
    public DurableTaskClient client() {
        return client;
    }

    /** The client that watches for completion; its transactions are not the scenario's. */
    public DurableTaskClient observer() {
        return observer;
    }

    /** The worker's service (for Idle, which counts only the worker). */
    public AzureStorageOrchestrationService workerService() {
        return workerService;
    }

    /** Storage transactions of the worker and the starting client so far (one service when they share it). */
    public StorageTransactionCount transactions() {
        StorageTransactionCount worker = workerService.getStorageTransactionCount();
        if (clientService == workerService) {
            return worker;
        }
        return worker.plus(clientService.getStorageTransactionCount());
    }

    /** Storage transactions of the observer so far. */
    public long observationTransactions() {
        return observerService.getStorageTransactionCount().total();
    }

    /** Whether the scenario's time is up. */
    public boolean pastDeadline() {
        return System.nanoTime() > deadlineNanos;
    }

    /** Nanoseconds left of the scenario's time. */
    public long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /**
     * The storage transactions of a measured window, counted from when it is opened ({@link #transactionWindow()}):
     * the worker's and the starting client's, and the observer's apart.
     */
    public final class TransactionWindow {
        private final StorageTransactionCount before = transactions();
        private final long observedBefore = observationTransactions();

        private TransactionWindow() {
        }

        /** Transactions of the worker and the starting client since the window opened. */
        public StorageTransactionCount used() {
            return transactions().minus(before);
        }

        /** Transactions of the observer since the window opened. */
        public long observed() {
            return observationTransactions() - observedBefore;
        }
    }

    /** Opens a window counting storage transactions from now. */
    public TransactionWindow transactionWindow() {
        return new TransactionWindow();
    }

    /**
     * Runs {@code call(i)} for i in 0..count-1 on the starter threads and waits for all of them.
     *
     * @throws Exception the first failure of a call
     */
    public void onStarters(int count, IntConsumer call) throws Exception {
        List<Future<?>> calls = new ArrayList<>(count);
        int threads = Math.min(STARTER_THREADS, count);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < threads; t++) {
            calls.add(starters.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    call.accept(i);
                }
                return null;
            }));
        }
        for (Future<?> f : calls) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
    }

    /**
     * Starts {@code count} instances of {@code orchestrator} with IDs {@code <prefix><i>} on the starter threads
     * (all at once) and waits until the observer sees each finished, polling the Instances table for the unfinished
     * instances of the prefix every {@code pollInterval}. Then checks (outside the timing) that each COMPLETED with
     * {@code expectedOutput}.
     *
     * @return the start times, the times each start call returned and the times each completion was first seen,
     *         all {@link System#nanoTime()}
     * @throws TimeoutException      if they do not all finish before the scenario's deadline
     * @throws IllegalStateException if one did not complete or produced another output
     */
    public BulkTimes startAndAwaitAll(String orchestrator, Object input, int count, String prefix,
                                      Object expectedOutput, Duration pollInterval) throws Exception {
        long[] startNanos = new long[count];
        long[] returnedNanos = new long[count];
        java.util.concurrent.atomic.AtomicLongArray returned = new java.util.concurrent.atomic.AtomicLongArray(count);
        long[] doneNanos = new long[count];
        java.util.Arrays.fill(doneNanos, -1);
        Future<?> starting = starters.submit(() -> {
            onStarters(count, i -> {
                startNanos[i] = System.nanoTime();
                client.scheduleNewOrchestrationInstance(orchestrator, input, prefix + i);
                returned.set(i, System.nanoTime());
            });
            return null;
        });
        int remaining = count;
        while (remaining > 0) {
            if (pastDeadline()) {
                starting.cancel(true);
                throw new TimeoutException(remaining + " of " + count + " " + orchestrator
                        + " instances had not finished when the scenario's time was up");
            }
            if (starting.isDone()) {
                starting.get(); // a failed start call fails the scenario
            }
            long pollStart = System.nanoTime();
            Set<String> unfinished = unfinishedIds(prefix);
            long seen = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long r = returned.get(i);
                if (doneNanos[i] < 0 && r != 0 && r <= pollStart && !unfinished.contains(prefix + i)) {
                    doneNanos[i] = seen;
                    remaining--;
                }
            }
            if (remaining > 0) {
                Thread.sleep(pollInterval.toMillis());
            }
        }
        starting.get();
        for (int i = 0; i < count; i++) {
            returnedNanos[i] = returned.get(i);
        }
        verifyOutputs(prefix, count, expectedOutput);
        return new BulkTimes(startNanos, returnedNanos, doneNanos);
    }

    /** The IDs of the instances with this prefix that have not finished (every page of the query). */
    private Set<String> unfinishedIds(String prefix) {
        Set<String> ids = new HashSet<>();
        String token = null;
        do {
            OrchestrationStatusQueryResult page = observer.queryInstances(new OrchestrationStatusQuery()
                    .setInstanceIdPrefix(prefix).setRuntimeStatusList(UNFINISHED).setMaxInstanceCount(1000)
                    .setContinuationToken(token));
            page.getOrchestrationState().forEach(m -> ids.add(m.getInstanceId()));
            token = page.getContinuationToken();
        } while (token != null);
        return ids;
    }

    /**
     * Checks that instances {@code <prefix>0..count-1} all COMPLETED with {@code expectedOutput}.
     *
     * @throws IllegalStateException naming the first few that did not
     */
    public void verifyOutputs(String prefix, int count, Object expectedOutput) {
        Map<String, OrchestrationMetadata> states = new HashMap<>();
        String token = null;
        do {
            OrchestrationStatusQueryResult page = observer.queryInstances(new OrchestrationStatusQuery()
                    .setInstanceIdPrefix(prefix).setMaxInstanceCount(1000).setFetchInputsAndOutputs(true)
                    .setContinuationToken(token));
            page.getOrchestrationState().forEach(m -> states.put(m.getInstanceId(), m));
            token = page.getContinuationToken();
        } while (token != null);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String problem = problem(states.get(prefix + i), expectedOutput);
            if (problem != null) {
                wrong.add(prefix + i + ": " + problem);
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(wrong.size() + " of " + count + " instances did not complete with the "
                    + "expected output, e.g. " + wrong.subList(0, Math.min(5, wrong.size())));
        }
    }

    /** What is wrong with a finished instance, or null if it COMPLETED with the expected output. */
    public static String problem(OrchestrationMetadata state, Object expectedOutput) {
        if (state == null) {
            return "not found";
        }
        if (state.getRuntimeStatus() != OrchestrationRuntimeStatus.COMPLETED) {
            return "status " + state.getRuntimeStatus()
                    + (state.getFailureDetails() != null ? " (" + state.getFailureDetails() + ")" : "");
        }
        Class<?> type = expectedOutput instanceof List<?> ? List.class : expectedOutput.getClass();
        Object output = state.readOutputAs(type);
        if (!Objects.equals(output, expectedOutput)) {
            return "output " + state.getSerializedOutput() + ", expected " + expectedOutput;
        }
        return null;
    }

    /**
     * Waits (polling the observer every {@code pollInterval}) until one instance has finished.
     *
     * @return the time it was first seen finished ({@link System#nanoTime()})
     * @throws TimeoutException if it does not finish before the scenario's deadline
     */
    public long awaitFinished(String instanceId, Duration pollInterval) throws Exception {
        while (true) {
            OrchestrationMetadata state = observer.getInstanceMetadata(instanceId, false);
            long seen = System.nanoTime();
            if (state != null && state.getRuntimeStatus().isTerminal()) {
                return seen;
            }
            if (pastDeadline()) {
                throw new TimeoutException("Instance " + instanceId + " had not finished when the scenario's time "
                        + "was up (status " + (state == null ? "not found" : state.getRuntimeStatus()) + ")");
            }
            long pause = pollInterval.toNanos();
            Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
        }
    }

    /**
     * Checks that one instance COMPLETED with {@code expectedOutput}.
     *
     * @throws IllegalStateException if not
     */
    public void verifyOutput(String instanceId, Object expectedOutput) {
        String problem = problem(observer.getInstanceMetadata(instanceId, true), expectedOutput);
        if (problem != null) {
            throw new IllegalStateException(instanceId + ": " + problem);
        }
    }

    /**
     * Times of a bulk run, {@link System#nanoTime()} per instance.
     *
     * @param startNanos    just before each start call
     * @param returnedNanos when each start call returned
     * @param doneNanos     when each completion was first seen
     */
    public record BulkTimes(long[] startNanos, long[] returnedNanos, long[] doneNanos) {
        /** From the first start call to the last completion seen. */
        public long wallNanos() {
            return java.util.Arrays.stream(doneNanos).max().orElse(0)
                    - java.util.Arrays.stream(startNanos).min().orElse(0);
        }

        /** Per instance: completion seen minus start, in milliseconds. */
        public List<Double> latenciesMs() {
            List<Double> latencies = new ArrayList<>(startNanos.length);
            for (int i = 0; i < startNanos.length; i++) {
                latencies.add((doneNanos[i] - startNanos[i]) / 1e6);
            }
            return latencies;
        }
    }
}
