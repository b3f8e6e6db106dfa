package io.github.durablefunctions.azurestorage;

import java.time.Duration;
import java.util.List;

/**
 * The task hub's activity queue {@code {h}-workitems}, read with {@code workItemQueueVisibilityTimeout}
 * (storage-layout.md §8.4): as many messages per call as the caller has free activity slots (at most 32). Shared by
 * all workers as competing consumers.
 * Between empty polls it backs off like the control queues; a local send ({@link #nudge()}) polls at once.
 */
final class WorkItemQueue {
    /** Most messages one receive call returns (Azure Queues). */
    static final int MAX_RECEIVE = 32;
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
     * Waits up to {@code timeout} for readable messages and returns up to {@code max} (capped at 32, the Azure
     * Queues limit) from one receive call, polling when the back-off allows. Each message is locked for
     * {@code workItemQueueVisibilityTimeout} with its own pop receipt; nothing is buffered here, so the caller must
     * be ready to run every message returned.
     *
     * @return the messages, or an empty list on timeout
     */
    List<ReceivedMessage> receive(int max, Duration timeout) throws InterruptedException {
        int count = Math.max(1, Math.min(MAX_RECEIVE, max));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!backoff.awaitNextPoll(deadline)) {
                return List.of();
            }
            List<ReceivedMessage> messages = queue.receive(count, visibilityTimeout);
            if (!messages.isEmpty()) {
                backoff.reset();
                return messages;
            }
            backoff.grow();
            if (System.nanoTime() - deadline >= 0) {
                return List.of();
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
