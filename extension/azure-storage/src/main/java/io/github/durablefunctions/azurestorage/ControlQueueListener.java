package io.github.durablefunctions.azurestorage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Polls one owned control queue on its own thread (storage-layout.md §8.1 step 1): receives up to
 * {@code controlQueueBatchSize} messages with {@code controlQueueVisibilityTimeout}, sorts them by InsertedOn then
 * SequenceNumber and hands them to the {@link OrchestrationSessionManager}. Pauses while the process buffers
 * {@code controlQueueBufferThreshold} messages or more. When the queue is empty it backs off (see
 * {@link PollingBackoff}); {@link #nudge()} ends the pause at once, for messages this process just sent.
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

    /** Stops polling and waits (up to 5 s) for the thread to end. Buffered messages stay buffered. */
    void stop() {
        running = false;
        backoff.wake();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        log.debug("Listening to control queue {}", queue.name());
        int failures = 0;
        while (running) {
            try {
                if (sessions.bufferedCount() >= bufferThreshold) {
                    Thread.sleep(100);
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
                if (running) {
                    sessions.add(messages);
                }
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
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    if (!running) {
                        break;
                    }
                }
            }
        }
        log.debug("Stopped listening to control queue {}", queue.name());
    }
}
