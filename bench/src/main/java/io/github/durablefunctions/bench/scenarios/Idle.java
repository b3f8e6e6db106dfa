package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;

import java.util.List;

/**
 * Idle: the storage transactions of a worker with nothing to do (default settings: 4 partitions,
 * {@code maxQueuePollingInterval} 30 s). After the warm-up orchestrations the worker is left alone for
 * {@code idleSettle} (65 s: the queue back-off reaches 30 s after about 51 s), then its transactions are counted for
 * {@code idleWindow} (60 s) and scaled to one minute. Only the worker's service is counted; nothing else calls
 * storage meanwhile.
 */
public final class Idle implements Scenario {
    @Override
    public String name() {
        return "Idle";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        Thread.sleep(context.scale().idleSettle().toMillis());
        StorageTransactionCount before = context.workerService().getStorageTransactionCount();
        long start = System.nanoTime();
        Thread.sleep(context.scale().idleWindow().toMillis());
        long end = System.nanoTime();
        StorageTransactionCount used = context.workerService().getStorageTransactionCount().minus(before);
        return new Measurement(0, 0, 0, null, end - start, List.of(), used, 0, end - start,
                String.format("left idle %d s, then counted %d s", context.scale().idleSettle().toSeconds(),
                        context.scale().idleWindow().toSeconds()));
    }
}
