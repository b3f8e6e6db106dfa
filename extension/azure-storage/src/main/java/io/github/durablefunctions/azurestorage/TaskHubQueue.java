package io.github.durablefunctions.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.UpdateMessageResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.OrchestrationInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue of the task hub (a control queue or the work-item queue) with the provider's message conventions
 * (storage-layout.md §6, §8.5): messages are {@link MessageData} JSON as UTF-8 text with an infinite time-to-live;
 * abandoning sets the visibility to {@code min(2^dequeueCount, 600)} seconds; nothing is ever dead-lettered.
 */
final class TaskHubQueue {
    private static final Logger log = LoggerFactory.getLogger(TaskHubQueue.class);

    /** Largest serialized message sent as is: 45 KiB of UTF-8 (storage-layout.md §7.1). */
    static final int MAX_MESSAGE_BYTES = 45 * 1024;
    /** Longest visibility delay Azure Queues accept is 7 days; stay just below. */
    static final Duration MAX_VISIBILITY_DELAY = Duration.ofDays(7).minusSeconds(1);
    /** The abandon back-off cap (§8.5). */
    static final int MAX_BACKOFF_SECONDS = 600;
    private static final Duration INFINITE_TTL = Duration.ofSeconds(-1);
    /** The per-process MessageData.SequenceNumber counter (§6.2). */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String name;
    private final QueueClient client;

    TaskHubQueue(String name, QueueClient client) {
        this.name = name;
        this.client = client;
    }

    String name() {
        return name;
    }

    QueueClient client() {
        return client;
    }

    void createIfNotExists() {
        client.createIfNotExists();
    }

    /**
     * Wraps a task message in a new envelope: a new ActivityId and the next sequence number.
     *
     * @param episode the sender's episode, or null for client sends
     * @param sender  the sending instance ({@code {"",""}} for clients)
     */
    static MessageData envelope(TaskMessage message, Integer episode, OrchestrationInstance sender) {
        return new MessageData(UUID.randomUUID(), message, null, SEQUENCE.incrementAndGet(), episode, sender, null);
    }

    /**
     * Serializes a message and checks its size.
     *
     * @throws IllegalArgumentException if it is larger than 45 KiB; blob offloading of large payloads
     *                                  (storage-layout.md §7) is not implemented yet
     */
    static String encodeChecked(MessageData data) {
        String json = MessageCodec.encode(data);
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("The " + data.taskMessage().event().eventType() + " message for "
                    + "instance '" + data.instanceId() + "' is " + bytes + " bytes of JSON, more than the "
                    + MAX_MESSAGE_BYTES + " bytes a queue message can hold; payloads this large need blob "
                    + "offloading (storage-layout.md §7), which is not supported yet. Use a smaller input/output.");
        }
        return json;
    }

    /**
     * Sends a serialized message.
     *
     * @param visibilityDelay how long the message stays invisible (clamped to [0, 7 days)), or null for none
     */
    void send(String json, Duration visibilityDelay) {
        Duration delay = null;
        if (visibilityDelay != null && !visibilityDelay.isNegative() && !visibilityDelay.isZero()) {
            delay = visibilityDelay.compareTo(MAX_VISIBILITY_DELAY) > 0 ? MAX_VISIBILITY_DELAY : visibilityDelay;
        }
        client.sendMessageWithResponse(json, delay, INFINITE_TTL, null, null);
    }

    /**
     * Receives up to {@code max} messages. Messages that cannot be parsed are logged with their ID and abandoned
     * with back-off (never deleted, never handed out).
     */
    List<ReceivedMessage> receive(int max, Duration visibilityTimeout) {
        List<ReceivedMessage> result = new ArrayList<>();
        for (QueueMessageItem item : client.receiveMessages(max, visibilityTimeout, null, null)) {
            Instant inserted = item.getInsertionTime() == null ? Instant.now() : item.getInsertionTime().toInstant();
            String body = item.getBody() == null ? null : item.getBody().toString();
            MessageData data;
            try {
                data = MessageCodec.decode(body);
                if (data.taskMessage() == null) {
                    throw new IllegalArgumentException("it is a large-message wrapper (CompressedBlobName '"
                            + data.compressedBlobName() + "'); reading offloaded messages (storage-layout.md §7.1) "
                            + "is not supported yet");
                }
            } catch (RuntimeException e) {
                ReceivedMessage bad = new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(),
                        item.getDequeueCount(), inserted, null);
                log.error("Queue {}: message {} (dequeue count {}) cannot be read and is put back with back-off: {}. "
                                + "Body: {}", name, item.getMessageId(), item.getDequeueCount(), e.getMessage(),
                        abbreviate(body));
                abandon(bad);
                continue;
            }
            result.add(new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(), item.getDequeueCount(),
                    inserted, data));
        }
        return result;
    }

    /** The abandon back-off for a dequeue count: {@code min(2^n, 600)} seconds, 600 s once n > 30 (§8.5). */
    static Duration backoff(long dequeueCount) {
        if (dequeueCount >= 10) {
            return Duration.ofSeconds(MAX_BACKOFF_SECONDS);
        }
        return Duration.ofSeconds(Math.min(1L << Math.max(0, dequeueCount), MAX_BACKOFF_SECONDS));
    }

    /** Makes the message visible again after the back-off for its dequeue count. Failures are logged. */
    void abandon(ReceivedMessage message) {
        Duration delay = backoff(message.dequeueCount());
        if (delay.getSeconds() >= MAX_BACKOFF_SECONDS) {
            log.warn("PoisonMessageDetected: queue {}: {} has been dequeued {} times; retrying every {} s",
                    name, message, message.dequeueCount(), MAX_BACKOFF_SECONDS);
        }
        try {
            UpdateMessageResult r = client.updateMessage(message.messageId(), message.popReceipt(), null, delay);
            message.popReceipt(r.getPopReceipt());
            log.debug("Queue {}: abandoned {}; visible again in {} s", name, message, delay.getSeconds());
        } catch (QueueStorageException e) {
            log.warn("Queue {}: abandoning {} failed ({}); it becomes visible when its lock expires", name, message,
                    describe(e));
        }
    }

    /**
     * Extends the lock of a received message.
     *
     * @throws QueueStorageException if the message is gone or its receipt is stale
     */
    void renew(ReceivedMessage message, Duration visibilityTimeout) {
        UpdateMessageResult r = client.updateMessage(message.messageId(), message.popReceipt(), null,
                visibilityTimeout);
        message.popReceipt(r.getPopReceipt());
    }

    /**
     * Deletes a processed message. A 404 (already gone) or pop-receipt mismatch (someone else received it after
     * its lock expired) is logged and ignored (§8.3); other errors are rethrown.
     */
    void delete(ReceivedMessage message) {
        try {
            client.deleteMessage(message.messageId(), message.popReceipt());
        } catch (QueueStorageException e) {
            if (e.getStatusCode() == 404 || (e.getStatusCode() == 400 && "PopReceiptMismatch".equals(
                    e.getErrorCode() == null ? null : e.getErrorCode().toString()))) {
                log.warn("Queue {}: {} could not be deleted ({}); it was already deleted or re-received elsewhere",
                        name, message, describe(e));
                return;
            }
            throw e;
        }
    }

    static String describe(QueueStorageException e) {
        return e.getStatusCode() + " " + e.getErrorCode();
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "<null>";
        }
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
