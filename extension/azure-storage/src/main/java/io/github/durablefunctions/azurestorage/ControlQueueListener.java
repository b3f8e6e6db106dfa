package io.github.durablefunctions.azurestorage;

import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.UpdateMessageResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Polls one owned control queue on its own thread (storage-layout.md §8.1 step 1): receives up to
 * {@code controlQueueBatchSize} messages with {@code controlQueueVisibilityTimeout}, sorts them by InsertedOn then
 * SequenceNumber and hands them to the {@link OrchestrationSessionManager}. Pauses while the process buffers
 * {@code controlQueueBufferThreshold} messages or more. When the queue is empty it backs off (see
 * {@link PollingBackoff}); {@link #nudge()} ends the pause at once, for messages this process just sent.
 *
 * <p>Stopping loses no message: the polling thread is never interrupted inside a receive call (an interrupted HTTP
 * call could drop a response whose messages would then stay invisible for the visibility timeout); a batch that
 * arrives after {@link #requestStop()} is not buffered but handed back to the queue at once (see
 * {@link #handBack(Collection)}). Once {@link #stop()} has returned, the listener adds nothing more to the
 * {@link OrchestrationSessionManager}, so the caller can take the queue's buffered messages out and hand them back.
 */
final class ControlQueueListener {
    private static final Logger log = LoggerFactory.getLogger(ControlQueueListener.class);
    private static final Comparator<ReceivedMessage> ORDER = Comparator.comparing(ReceivedMessage::insertedOn)
            .thenComparingLong(m -> m.data().sequenceNumber());

    private final TaskHubQueue queue;
    private final OrchestrationSessionManager sessions;
    private final int batchSize;
    private final int bufferThreshold;
    private final Duration visibilityTimeout;
    private final PollingBackoff backoff;
    private final Thread thread;
    /** Guards {@link #running} against a batch being buffered while the listener stops. */
    private final Object stateLock = new Object();
    private volatile boolean running = true;

    ControlQueueListener(TaskHubQueue queue, OrchestrationSessionManager sessions,
                         AzureStorageOrchestrationServiceSettings settings) {
        this.queue = queue;
        this.sessions = sessions;
        this.batchSize = settings.getControlQueueBatchSize();
        this.bufferThreshold = settings.getControlQueueBufferThreshold();
        this.visibilityTimeout = settings.getControlQueueVisibilityTimeout();
        this.backoff = new PollingBackoff(settings.getMaxQueuePollingInterval());
        this.thread = new Thread(this::run, "control-queue-" + queue.name());
        this.thread.setDaemon(true);
    }

    String queueName() {
        return queue.name();
    }

    void start() {
        thread.start();
    }

    /** Ends any idle pause: poll now. */
    void nudge() {
        backoff.reset();
    }

    /**
     * Stops polling without waiting: a receive call under way finishes, and its messages are handed back to the queue
     * instead of being buffered.
     */
    void requestStop() {
        synchronized (stateLock) {
            running = false;
            stateLock.notifyAll();
        }
        backoff.close();
    }

    /**
     * Stops polling ({@link #requestStop()}) and waits up to {@code timeout} for the polling thread to end. Whether or
     * not it ended in time, no batch is buffered after this returns.
     *
     * @return true if the polling thread has ended
     */
    boolean stop(Duration timeout) {
        requestStop();
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Control queue {}: the listener is still inside a receive call after {} ms; messages it receives "
                    + "are handed back to the queue", queue.name(), timeout.toMillis());
            return false;
        }
        return true;
    }

    /** Stops polling and waits (up to 5 s) for the thread to end; see {@link #stop(Duration)}. */
    void stop() {
        stop(Duration.ofSeconds(5));
    }

    /**
     * Makes received messages visible again at once ({@code UpdateMessage} with visibility 0, storage-layout.md
     * §5.1 "drain"), so that the next owner of their control queue receives them without waiting for the visibility
     * timeout. A message that is gone or was received again meanwhile (404, pop-receipt mismatch) is skipped; no
     * failure is thrown (a message that could not be handed back becomes visible when its visibility timeout ends).
     *
     * @return how many messages were handed back
     */
    static int handBack(Collection<ReceivedMessage> messages) {
        int count = 0;
        for (ReceivedMessage m : messages) {
            try {
                UpdateMessageResult r = m.queue().client().updateMessage(m.messageId(), m.popReceipt(), null,
                        Duration.ZERO);
                m.popReceipt(r.getPopReceipt());
                count++;
            } catch (QueueStorageException e) {
                log.warn("Queue {}: handing back {} failed ({}); it becomes visible when its visibility timeout ends",
                        m.queue().name(), m, TaskHubQueue.describe(e));
            } catch (RuntimeException e) {
                log.warn("Queue {}: handing back {} failed ({}); it becomes visible when its visibility timeout ends",
                        m.queue().name(), m, e.toString());
            }
        }
        return count;
    }

    private void run() {
        log.debug("Listening to control queue {}", queue.name());
        int failures = 0;
        while (running) {
            try {
                if (sessions.bufferedCount() >= bufferThreshold) {
                    pause(100);
                    continue;
                }
                List<ReceivedMessage> messages = queue.receive(batchSize, visibilityTimeout);
                failures = 0;
                if (messages.isEmpty()) {
                    backoff.idle();
                    continue;
                }
                backoff.reset();
                messages.sort(ORDER);
                synchronized (stateLock) {
                    if (running) {
                        sessions.add(messages);
                        continue;
                    }
                }
                int handedBack = handBack(messages);
                log.debug("Control queue {}: stopped during a receive; handed {} message(s) back", queue.name(),
                        handedBack);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                failures++;
                long pause = Math.min(30_000L, 500L * failures);
                log.warn("Control queue {}: receiving failed ({} in a row); retrying in {} ms: {}", queue.name(),
                        failures, pause, e.toString());
                try {
                    pause(pause);
                } catch (InterruptedException ie) {
                    if (!running) {
                        break;
                    }
                }
            }
        }
        log.debug("Stopped listening to control queue {}", queue.name());
    }

    /** Sleeps up to {@code millis}, ending early when the listener is stopped. */
    private void pause(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (stateLock) {
            while (running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                stateLock.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }
}
