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
 *
 * <p>Per control queue bookkeeping (for partition draining, storage-layout.md §5.1): every message remembers the queue
 * it came from ({@link ReceivedMessage#queue()}), and a batch that is out remembers the queue of its messages (all
 * messages of an instance come from the one control queue its ID maps to, §2). {@link #removeQueue(String)} takes a
 * queue's buffered messages out so that they can be handed back, and {@link #activeCount(String)} tells how many work
 * items of a queue are in flight.
 */
final class OrchestrationSessionManager {

    /** A batch of messages of one instance, handed out for one work item. */
    record Batch(String instanceId, List<ReceivedMessage> messages) {
    }

    private static final class InstanceBuffer {
        final List<ReceivedMessage> pending = new ArrayList<>();
        boolean active;
        /** The control queue of the batch that is out, while {@link #active}. */
        String activeQueue;
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
                buffer.activeQueue = batch.get(0).queue().name();
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
            buffer.activeQueue = null;
            if (buffer.pending.isEmpty()) {
                instances.remove(instanceId);
            } else {
                enqueueIfReady(instanceId, buffer);
            }
        }
    }

    /**
     * Takes out every buffered message (received, not handed out in a batch) that came from {@code queueName}: for a
     * control queue this worker stops reading (drained or lost partition), so that the caller can hand them back to
     * the queue. Batches already handed out are not touched; see {@link #activeCount(String)}.
     *
     * @return the removed messages, in buffer order
     */
    List<ReceivedMessage> removeQueue(String queueName) {
        List<ReceivedMessage> removed = new ArrayList<>();
        synchronized (lock) {
            Iterator<Map.Entry<String, InstanceBuffer>> it = instances.entrySet().iterator();
            while (it.hasNext()) {
                InstanceBuffer buffer = it.next().getValue();
                Iterator<ReceivedMessage> messages = buffer.pending.iterator();
                while (messages.hasNext()) {
                    ReceivedMessage m = messages.next();
                    if (m.queue().name().equals(queueName)) {
                        removed.add(m);
                        messages.remove();
                    }
                }
                if (buffer.pending.isEmpty() && !buffer.active) {
                    it.remove();
                }
            }
            buffered -= removed.size();
        }
        return removed;
    }

    /** How many batches of messages from {@code queueName} are handed out now (work items in flight). */
    int activeCount(String queueName) {
        synchronized (lock) {
            int count = 0;
            for (InstanceBuffer buffer : instances.values()) {
                if (buffer.active && queueName.equals(buffer.activeQueue)) {
                    count++;
                }
            }
            return count;
        }
    }

    /** How many messages from {@code queueName} are buffered and not handed out. */
    int bufferedCount(String queueName) {
        synchronized (lock) {
            int count = 0;
            for (InstanceBuffer buffer : instances.values()) {
                for (ReceivedMessage m : buffer.pending) {
                    if (m.queue().name().equals(queueName)) {
                        count++;
                    }
                }
            }
            return count;
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
