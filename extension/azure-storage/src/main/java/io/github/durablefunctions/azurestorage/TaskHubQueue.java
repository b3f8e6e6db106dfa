package io.github.durablefunctions.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.UpdateMessageResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue of the task hub (a control queue or the work-item queue) with the provider's message conventions
 * (storage-layout.md §6, §8.5): messages are {@link MessageData} JSON as UTF-8 text with an infinite time-to-live;
 * abandoning sets the visibility to {@code min(2^dequeueCount, 600)} seconds. Messages over 45 KiB travel as a
 * large-message wrapper whose blob holds the real message (§7.1; see {@link #encode} and {@link #decode}).
 *
 * <p>Poison messages (README "Poison messages"; unlike DTFx, which retries them every 10 minutes forever, §8.5): a
 * message received for the {@code maxDequeueCount}-th time that still cannot be read, or that its owner gives up on,
 * is {@linkplain #setAside set aside}: its body is copied verbatim to the queue {@code <name>-poison} (created on
 * first use, infinite time-to-live) and then deleted here.
 */
final class TaskHubQueue {
    private static final Logger log = LoggerFactory.getLogger(TaskHubQueue.class);

    /** Largest serialized message sent as is: 45 KiB of UTF-8 (storage-layout.md §7.1). */
    static final int MAX_MESSAGE_BYTES = LargePayloadStore.MAX_MESSAGE_BYTES;
    /** The ActivityId of a large-message wrapper: the all-zero GUID (§7.1). */
    static final UUID WRAPPER_ACTIVITY_ID = new UUID(0, 0);
    /** Longest visibility delay Azure Queues accept is 7 days; stay just below. */
    static final Duration MAX_VISIBILITY_DELAY = Duration.ofDays(7).minusSeconds(1);
    /** The abandon back-off cap (§8.5). */
    static final int MAX_BACKOFF_SECONDS = 600;
    private static final Duration INFINITE_TTL = Duration.ofSeconds(-1);
    /** The per-process MessageData.SequenceNumber counter (§6.2). */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String name;
    private final QueueClient client;
    private final LargePayloadStore payloads;
    private final QueueClient poisonClient;
    private final int maxDequeueCount;
    private final boolean controlQueue;
    private volatile boolean poisonQueueCreated;

    /**
     * @param payloads        the task hub's large-message container, where wrapped messages are read from
     * @param poisonClient    the client of the queue {@code <name>-poison}
     * @param maxDequeueCount the dequeue count at which a message that cannot be read is set aside (2..1000)
     * @param controlQueue    true for a control queue: an unreadable message that names its instance is then handed
     *                        on as a placeholder, for that instance to be failed (see {@link #receive})
     */
    TaskHubQueue(String name, QueueClient client, LargePayloadStore payloads, QueueClient poisonClient,
                 int maxDequeueCount, boolean controlQueue) {
        this.name = name;
        this.client = client;
        this.payloads = payloads;
        this.poisonClient = poisonClient;
        this.maxDequeueCount = maxDequeueCount;
        this.controlQueue = controlQueue;
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
     * A serialized message ready to send.
     *
     * @param json     the queue message text: the message itself, or the large-message wrapper
     * @param blobName the blob the message was offloaded to, or null if it is sent as is
     */
    record Encoded(String json, String blobName) {
    }

    /**
     * Serializes a message for sending (storage-layout.md §6.2, §7.1). When its JSON is larger than 45 KiB of UTF-8,
     * the JSON is gzipped and uploaded to {@code {h}-largemessages} as
     * {@code {instanceId}/message-{ActivityId:N}-{EventType}.json.gz} (the raw ID of the target instance), and the
     * text to send is a wrapper MessageData that only names that blob: {@code ActivityId} all zeros,
     * {@code TaskMessage} null, {@code CompressedBlobName} the blob name, {@code SequenceNumber} 0, no
     * {@code Episode} and no {@code Sender}.
     *
     * @throws com.azure.storage.blob.models.BlobStorageException if the upload fails (nothing was sent)
     */
    static Encoded encode(MessageData data, LargePayloadStore payloads) {
        String json = MessageCodec.encode(data);
        if (!LargePayloadStore.exceedsMessageLimit(json)) {
            return new Encoded(json, null);
        }
        String blobName = LargePayloadStore.messageBlobName(data.instanceId(), data.activityId(),
                data.taskMessage().event().eventType());
        payloads.upload(blobName, json);
        log.debug("The {} message for instance '{}' ({} chars of JSON) was offloaded to blob {}",
                data.taskMessage().event().eventType(), data.instanceId(), json.length(), blobName);
        return new Encoded(MessageCodec.encode(wrapper(blobName)), blobName);
    }

    /** The large-message wrapper of a blob (§7.1). */
    static MessageData wrapper(String blobName) {
        return new MessageData(WRAPPER_ACTIVITY_ID, null, blobName, 0, null, null, null);
    }

    /**
     * Parses a received message body (§6.1, §6.2); a large-message wrapper is resolved by downloading, gunzipping
     * and parsing its blob (§7.1). The blob is left in place (DTFx does not delete it either; purge does).
     *
     * @throws RuntimeException if the body or the blob cannot be read (e.g. {@link IllegalArgumentException} for bad
     *                          JSON, {@link IllegalStateException} for a missing or corrupt blob); the message says why
     */
    MessageData decode(String body) {
        MessageData data = MessageCodec.decode(body);
        if (data.taskMessage() != null) {
            return data;
        }
        MessageData resolved;
        try {
            resolved = MessageCodec.decode(payloads.download(data.compressedBlobName()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the large message blob '" + data.compressedBlobName()
                    + "' does not hold a readable message: " + e.getMessage(), e);
        }
        if (resolved.taskMessage() == null) {
            throw new IllegalArgumentException("the large message blob '" + data.compressedBlobName()
                    + "' holds another wrapper, not a message");
        }
        return resolved;
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

    /** The name of the queue poison messages of this queue are moved to: {@code <name>-poison}. */
    String poisonQueueName() {
        return poisonClient.getQueueName();
    }

    /**
     * Receives up to {@code max} messages. A message that cannot be parsed is handled by {@link #unreadable}: put
     * back with back-off until its dequeue count reaches {@code maxDequeueCount}, then set aside (or, on a control
     * queue, returned as a placeholder if it names its instance); it is never handed out as a readable message.
     */
    List<ReceivedMessage> receive(int max, Duration visibilityTimeout) {
        List<ReceivedMessage> result = new ArrayList<>();
        for (QueueMessageItem item : client.receiveMessages(max, visibilityTimeout, null, null)) {
            Instant inserted = item.getInsertionTime() == null ? Instant.now() : item.getInsertionTime().toInstant();
            String body = item.getBody() == null ? null : item.getBody().toString();
            MessageData data;
            try {
                data = decode(body);
            } catch (RuntimeException e) {
                ReceivedMessage placeholder = unreadable(item, inserted, body, e);
                if (placeholder != null) {
                    result.add(placeholder);
                }
                continue;
            }
            result.add(new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(), item.getDequeueCount(),
                    inserted, data, body, null));
        }
        return result;
    }

    /**
     * Handles a received message that cannot be read (bad JSON, an unknown {@code $type} or event, a large-message
     * blob that cannot be read). It is logged at ERROR with its ID, dequeue count, the reason and, if its raw JSON
     * names one ({@link PoisonMessages#peek}), the instance. Then:
     * <ul>
     *   <li>below {@code maxDequeueCount}: put back with back-off ({@link #abandon});</li>
     *   <li>at {@code maxDequeueCount}, on a control queue, when the instance is known: returned as a placeholder
     *       ({@link ReceivedMessage#unreadable()}) addressed to that instance and execution, so that the instance's
     *       session sets it aside and fails the instance (AzureStorageOrchestrationService);</li>
     *   <li>otherwise at {@code maxDequeueCount}: {@linkplain #setAside set aside}.</li>
     * </ul>
     *
     * @return the placeholder, or null if the message was put back or set aside
     */
    private ReceivedMessage unreadable(QueueMessageItem item, Instant inserted, String body, RuntimeException error) {
        PoisonMessages.Peek peek = PoisonMessages.peek(body);
        long dequeueCount = item.getDequeueCount();
        String reason = "it cannot be read: " + error.getMessage();
        if (dequeueCount < maxDequeueCount) {
            log.error("Queue {}: message {} (dequeue count {} of at most {}, instance {}) cannot be read and is put "
                            + "back with back-off: {}. Body: {}", name, item.getMessageId(), dequeueCount,
                    maxDequeueCount, peek.instanceId() == null ? "unknown" : "'" + peek.instanceId() + "'",
                    error.getMessage(), abbreviate(body));
            abandon(new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(), dequeueCount, inserted, null,
                    body, reason));
            return null;
        }
        if (controlQueue && peek.instanceId() != null) {
            log.error("Queue {}: message {} (dequeue count {}, instance '{}') still cannot be read after {} "
                            + "deliveries: {}; handing it to the instance's session to be set aside and to fail the "
                            + "instance. Body: {}", name, item.getMessageId(), dequeueCount, peek.instanceId(),
                    maxDequeueCount, error.getMessage(), abbreviate(body));
            MessageData placeholder = new MessageData(new UUID(0, 0), new TaskMessage(new GenericEvent(-1, false,
                    inserted, reason), new OrchestrationInstance(peek.instanceId(), peek.executionId())), null, 0,
                    null, null, null);
            return new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(), dequeueCount, inserted,
                    placeholder, body, reason);
        }
        setAside(new ReceivedMessage(this, item.getMessageId(), item.getPopReceipt(), dequeueCount, inserted, null,
                body, reason), peek.instanceId(), reason);
        return null;
    }

    /**
     * Sets a poison message aside: {@linkplain #copyToPoisonQueue copies} its body verbatim to
     * {@code <name>-poison}, then deletes it from this queue. If the copy fails, the message is put back with back-off
     * instead, so nothing is lost; if the delete fails, it stays here and may be copied again later (a duplicate in
     * the poison queue, never a loss).
     *
     * @param instanceId the instance it belongs to, if known (for the log), else null
     * @param reason     why it is set aside, for the log
     * @return true if it was copied and deleted
     */
    boolean setAside(ReceivedMessage message, String instanceId, String reason) {
        if (!copyToPoisonQueue(message, instanceId, reason)) {
            abandon(message);
            return false;
        }
        try {
            delete(message);
            return true;
        } catch (QueueStorageException e) {
            log.warn("Queue {}: {} was copied to {} but deleting it failed ({}); it will be delivered again",
                    name, message, poisonQueueName(), describe(e));
            return false;
        }
    }

    /**
     * Copies a message's body, exactly as received, to {@code <name>-poison} (created if missing; the copy has an
     * infinite time-to-live) and logs at ERROR: the message ID, this queue, the dequeue count, the instance (when
     * known) and the reason. The message itself is not touched.
     *
     * @return false (after logging) if the copy failed
     */
    boolean copyToPoisonQueue(ReceivedMessage message, String instanceId, String reason) {
        try {
            if (!poisonQueueCreated) {
                poisonClient.createIfNotExists();
                poisonQueueCreated = true;
            }
            poisonClient.sendMessageWithResponse(message.body() == null ? "" : message.body(), null, INFINITE_TTL,
                    null, null);
        } catch (RuntimeException e) {
            log.error("Queue {}: could not copy poison message {} to {} ({}); putting it back with back-off", name,
                    message.messageId(), poisonQueueName(), e.toString());
            return false;
        }
        log.error("Queue {}: poison message {} (dequeue count {}, instance {}) set aside in queue {}: {}", name,
                message.messageId(), message.dequeueCount(), instanceId == null ? "unknown" : "'" + instanceId + "'",
                poisonQueueName(), reason);
        return true;
    }

    /** The abandon back-off for a dequeue count: {@code min(2^n, 600)} seconds, 600 s once n > 30 (§8.5). */
    static Duration backoff(long dequeueCount) {
        if (dequeueCount >= 10) {
            return Duration.ofSeconds(MAX_BACKOFF_SECONDS);
        }
        return Duration.ofSeconds(Math.min(1L << Math.max(0, dequeueCount), MAX_BACKOFF_SECONDS));
    }

    /**
     * Makes the message visible again after the back-off for its dequeue count. Failures are logged; the message
     * then becomes visible when its receive lock (the visibility timeout it was received with) expires, so a failed
     * abandon still delays the next delivery.
     */
    void abandon(ReceivedMessage message) {
        Duration delay = backoff(message.dequeueCount());
        if (delay.getSeconds() >= MAX_BACKOFF_SECONDS) {
            log.warn("PoisonMessageDetected: queue {}: {} has been dequeued {} times; retrying every {} s until it "
                    + "is set aside at {} deliveries", name, message, message.dequeueCount(), MAX_BACKOFF_SECONDS,
                    maxDequeueCount);
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
