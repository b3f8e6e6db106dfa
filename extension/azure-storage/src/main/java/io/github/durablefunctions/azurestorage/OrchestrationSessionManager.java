package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Buffers control-queue messages per instance and hands out at most one batch per instance at a time
 * (storage-layout.md §8.1 steps 2, 4 and 6).
 *
 * <p>Messages arrive sorted (by InsertedOn, then SequenceNumber). A message whose ID is already buffered replaces the
 * older copy (it was re-received with a new pop receipt). A batch holds the messages of one execution: an
 * {@code ExecutionStarted} always starts a new batch; messages addressed to no execution ({@code ExecutionId} null)
 * join the batch; messages for another execution wait for a later batch. While a batch of an instance is out
 * ({@link #take(Duration)} until {@link #release(String)}), further messages for it wait in the buffer.
 */
final class OrchestrationSessionManager {

    /** A batch of messages of one instance, handed out for one work item. */
    record Batch(String instanceId, List<ReceivedMessage> messages) {
    }

    private static final class InstanceBuffer {
        final List<ReceivedMessage> pending = new ArrayList<>();
        boolean active;
        boolean queued;
    }

    private final Object lock = new Object();
    private final Map<String, InstanceBuffer> instances = new HashMap<>();
    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private int buffered;

    /** Adds received messages (already sorted) to their instances' buffers. */
    void add(List<ReceivedMessage> messages) {
        synchronized (lock) {
            for (ReceivedMessage m : messages) {
                String instanceId = m.data().instanceId();
                InstanceBuffer buffer = instances.computeIfAbsent(instanceId, k -> new InstanceBuffer());
                boolean replaced = false;
                for (int i = 0; i < buffer.pending.size(); i++) {
                    if (buffer.pending.get(i).messageId().equals(m.messageId())) {
                        buffer.pending.set(i, m);
                        replaced = true;
                        break;
                    }
                }
                if (!replaced) {
                    buffer.pending.add(m);
                    buffered++;
                }
                enqueueIfReady(instanceId, buffer);
            }
        }
    }

    /**
     * Waits up to {@code timeout} for an instance with buffered messages that is not busy, marks it busy and returns
     * its next batch.
     *
     * @return the batch, or null if none became ready in time
     */
    Batch take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            String instanceId = remaining <= 0 ? ready.poll() : ready.poll(remaining, TimeUnit.NANOSECONDS);
            if (instanceId == null) {
                return null;
            }
            synchronized (lock) {
                InstanceBuffer buffer = instances.get(instanceId);
                if (buffer == null) {
                    continue;
                }
                buffer.queued = false;
                if (buffer.active || buffer.pending.isEmpty()) {
                    continue;
                }
                List<ReceivedMessage> batch = cutBatch(buffer.pending);
                if (batch.isEmpty()) {
                    continue;
                }
                buffered -= batch.size();
                buffer.active = true;
                return new Batch(instanceId, batch);
            }
        }
    }

    /** Marks an instance as no longer busy; if messages wait for it, it becomes ready again. */
    void release(String instanceId) {
        synchronized (lock) {
            InstanceBuffer buffer = instances.get(instanceId);
            if (buffer == null) {
                return;
            }
            buffer.active = false;
            if (buffer.pending.isEmpty()) {
                instances.remove(instanceId);
            } else {
                enqueueIfReady(instanceId, buffer);
            }
        }
    }

    /**
     * Forgets buffered (not handed out) messages that came from a queue this worker no longer owns: their new owner
     * receives them once their visibility timeout expires.
     */
    void dropQueue(String queueName) {
        synchronized (lock) {
            Iterator<Map.Entry<String, InstanceBuffer>> it = instances.entrySet().iterator();
            while (it.hasNext()) {
                InstanceBuffer buffer = it.next().getValue();
                int before = buffer.pending.size();
                buffer.pending.removeIf(m -> m.queue().name().equals(queueName));
                buffered -= before - buffer.pending.size();
                if (buffer.pending.isEmpty() && !buffer.active) {
                    it.remove();
                }
            }
        }
    }

    /** How many messages are buffered and not handed out. */
    int bufferedCount() {
        synchronized (lock) {
            return buffered;
        }
    }

    private void enqueueIfReady(String instanceId, InstanceBuffer buffer) {
        if (!buffer.active && !buffer.queued && !buffer.pending.isEmpty()) {
            buffer.queued = true;
            ready.add(instanceId);
        }
    }

    /**
     * Removes and returns the next batch from {@code pending}: messages of the execution of the first message, up
     * to (not including) the next {@code ExecutionStarted}; management messages (no execution ID) join it.
     */
    static List<ReceivedMessage> cutBatch(List<ReceivedMessage> pending) {
        List<ReceivedMessage> batch = new ArrayList<>();
        String executionId = null;
        Iterator<ReceivedMessage> it = pending.iterator();
        while (it.hasNext()) {
            ReceivedMessage m = it.next();
            HistoryEvent event = m.data().taskMessage().event();
            String messageExecution = m.data().taskMessage().orchestrationInstance().executionId();
            if (event instanceof ExecutionStartedEvent) {
                if (!batch.isEmpty()) {
                    break; // an ExecutionStarted always starts a new batch
                }
                executionId = messageExecution;
            } else if (messageExecution != null) {
                if (executionId == null) {
                    executionId = messageExecution;
                } else if (!executionId.equals(messageExecution)) {
                    continue; // for another execution: wait for a later batch
                }
            }
            batch.add(m);
            it.remove();
        }
        return batch;
    }
}
