package io.github.durablefunctions.worker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A polling loop that takes work items from a backend and runs each on a pool, at most {@code maxConcurrency} at
 * once. The backend's own receive call waits for work (and backs off when idle); this loop only bounds concurrency.
 */
abstract class WorkLoop<W> {
    private static final Logger log = LoggerFactory.getLogger(WorkLoop.class);
    private static final Duration RECEIVE_WAIT = Duration.ofSeconds(1);

    private final String name;
    private final int maxConcurrency;
    private final Semaphore slots;
    private final ExecutorService pool;
    private Thread poller;
    private volatile boolean polling;

    WorkLoop(String name, int maxConcurrency) {
        this.name = name;
        this.maxConcurrency = maxConcurrency;
        this.slots = new Semaphore(maxConcurrency);
        this.pool = Executors.newCachedThreadPool(threads(name));
    }

    /** Waits up to {@code timeout} for a work item; null if none. */
    abstract W receive(Duration timeout) throws InterruptedException;

    /**
     * Waits up to {@code timeout} for up to {@code max} work items (one per free slot); the default receives one.
     * Only called with {@code max > 1} when {@link #maxReceiveBatch()} allows it.
     */
    List<W> receiveUpTo(int max, Duration timeout) throws InterruptedException {
        W workItem = receive(timeout);
        return workItem == null ? List.of() : List.of(workItem);
    }

    /** Most work items one receive may ask for; 1 (the default) receives one at a time. */
    int maxReceiveBatch() {
        return 1;
    }

    /** Processes one work item; must not throw. */
    abstract void process(W workItem);

    final void start() {
        polling = true;
        poller = new Thread(this::poll, name + "-poller");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        int failures = 0;
        while (polling) {
            try {
                slots.acquire();
                // Every slot free now may take a work item of this receive: the one just acquired plus the others.
                int taken = 1;
                int more = Math.min(maxReceiveBatch() - 1, slots.availablePermits());
                if (more > 0 && slots.tryAcquire(more)) {
                    taken += more;
                }
                List<W> workItems;
                try {
                    workItems = polling ? receiveUpTo(taken, RECEIVE_WAIT) : List.of();
                } catch (InterruptedException e) {
                    slots.release(taken);
                    throw e;
                } catch (RuntimeException e) {
                    slots.release(taken);
                    failures++;
                    long backoffMillis = Math.min(30_000L, 100L << Math.min(failures, 8));
                    log.warn("{}: receiving work failed ({} in a row); retrying in {} ms: {}", name, failures,
                            backoffMillis, e.toString());
                    Thread.sleep(backoffMillis);
                    continue;
                }
                failures = 0;
                if (workItems.size() > taken) {
                    // Not what the backend was asked for: still run them all, within the concurrency bound.
                    log.warn("{}: received {} work items for {} free slot(s)", name, workItems.size(), taken);
                    slots.acquireUninterruptibly(workItems.size() - taken);
                } else if (workItems.size() < taken) {
                    slots.release(taken - workItems.size());
                }
                for (W workItem : workItems) {
                    pool.execute(() -> {
                        try {
                            process(workItem);
                        } catch (RuntimeException | Error e) {
                            log.error("{}: unexpected failure processing a work item", name, e);
                        } finally {
                            slots.release();
                        }
                    });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    final void stopPolling() {
        polling = false;
        if (poller != null) {
            poller.interrupt();
        }
    }

    /** Waits until no work item is being processed, or the timeout elapses. */
    final void awaitIdle(Duration timeout) {
        try {
            if (slots.tryAcquire(maxConcurrency, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(maxConcurrency);
            } else {
                log.warn("{}: {} work item(s) still running after the grace period", name,
                        maxConcurrency - slots.availablePermits());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    final void shutdownNow() {
        stopPolling();
        pool.shutdownNow();
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
