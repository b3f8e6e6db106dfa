package io.github.durablefunctions.backend;

import java.time.Duration;
import java.util.List;

/**
 * The worker side of a storage backend, shaped like the Durable Task Framework's {@code IOrchestrationService}: it
 * hands out locked work items and persists what processing them produced. Implementations: the Azure Storage
 * backend (DTFx layout), and in-memory ones for tests.
 *
 * <p>Guarantees a worker relies on: at most one work item per instance is locked at a time in this process;
 * messages are deleted only after their checkpoint is committed, so a crash causes re-delivery, never loss.
 */
public interface OrchestrationService extends AutoCloseable {

    /** Creates the task hub's resources if they do not exist yet. Idempotent. */
    void createTaskHubIfNotExists();

    /**
     * Starts receiving work: creates the task hub if needed, takes ownership of partitions, starts listening.
     * Idempotent.
     */
    void start();

    /**
     * Stops receiving work and releases owned partitions. Work items already handed out may still be completed or
     * abandoned until {@link #close()}.
     */
    void stop();

    /**
     * Waits for the next orchestration work item.
     *
     * @param timeout how long to wait at most
     * @return a locked work item, or null if none arrived within the timeout
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    OrchestrationWorkItem lockNextOrchestrationWorkItem(Duration timeout) throws InterruptedException;

    /**
     * Commits an episode: sends the checkpoint's messages, appends its new history events under the history's
     * concurrency token, updates the instance state, then deletes the work item's messages. Releases the work item.
     *
     * @throws SessionAbortedException if another worker committed the instance first; nothing was written to history
     */
    void completeOrchestrationWorkItem(OrchestrationWorkItem workItem, OrchestrationCheckpoint checkpoint);

    /**
     * Gives the work item's messages back for a later retry (with back-off) and releases the work item.
     */
    void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem);

    /**
     * Deletes the work item's messages without any other change and releases the work item: for messages that can
     * never be processed (e.g. for an instance that does not exist or has already completed), after logging them.
     */
    void discardOrchestrationWorkItem(OrchestrationWorkItem workItem, String reason);

    /**
     * Waits for the next activity work item.
     *
     * @return a locked work item, or null if none arrived within the timeout
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    ActivityWorkItem lockNextActivityWorkItem(Duration timeout) throws InterruptedException;

    /**
     * Waits for activity work items and returns up to {@code max} of them at once, for {@code max} free activity
     * slots of the caller: a backend that can receive several messages in one call (Azure Storage: up to 32) saves
     * receive calls, and never takes more than the caller will run at once (other workers compete for the queue).
     * The default takes one work item through {@link #lockNextActivityWorkItem(Duration)}.
     *
     * @param max at least 1: how many work items the caller can run now
     * @return 0..{@code max} locked work items; empty if none arrived within the timeout
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    default List<ActivityWorkItem> lockNextActivityWorkItems(int max, Duration timeout)
            throws InterruptedException {
        ActivityWorkItem item = lockNextActivityWorkItem(timeout);
        return item == null ? List.of() : List.of(item);
    }

    /** Extends the lock of a long-running activity's work item. */
    void renewActivityWorkItem(ActivityWorkItem workItem);

    /**
     * Completes an activity: first sends the response ({@code TaskCompleted} or {@code TaskFailed}) to the
     * orchestration, then deletes the work item (storage-layout.md §8.4).
     */
    void completeActivityWorkItem(ActivityWorkItem workItem, TaskMessage response);

    /** Gives the activity work item back for a later retry (with back-off). */
    void abandonActivityWorkItem(ActivityWorkItem workItem);

    /** Stops and releases every resource (threads, clients). */
    @Override
    void close();
}
