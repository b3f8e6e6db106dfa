package io.github.durablefunctions.azurestorage;

import java.time.Duration;
import java.util.List;

/**
 * The task hub's activity queue {@code {h}-workitems}, read one message at a time with
 * {@code workItemQueueVisibilityTimeout} (storage-layout.md §8.4). Shared by all workers as competing consumers.
 * Between empty polls it backs off like the control queues; a local send ({@link #nudge()}) polls at once.
 */
final class WorkItemQueue {
    private final TaskHubQueue queue;
    private final Duration visibilityTimeout;
    private final PollingBackoff backoff;

    WorkItemQueue(TaskHubQueue queue, AzureStorageOrchestrationServiceSettings settings) {
        this.queue = queue;
        this.visibilityTimeout = settings.getWorkItemQueueVisibilityTimeout();
        this.backoff = new PollingBackoff(settings.getMaxQueuePollingInterval());
    }

    TaskHubQueue queue() {
        return queue;
    }

    /**
     * Waits up to {@code timeout} for one readable message, polling when the back-off allows (unreadable messages
     * are logged and abandoned by {@link TaskHubQueue#receive}).
     *
     * @return the message, or null on timeout
     */
    ReceivedMessage receive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!backoff.awaitNextPoll(deadline)) {
                return null;
            }
            List<ReceivedMessage> messages = queue.receive(1, visibilityTimeout);
            if (!messages.isEmpty()) {
                backoff.reset();
                return messages.get(0);
            }
            backoff.grow();
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
        }
    }

    /** A message was just sent to this queue by this process: poll now. */
    void nudge() {
        backoff.reset();
    }

    /** Wakes a waiting receiver (used on close). */
    void wake() {
        backoff.wake();
    }
}
