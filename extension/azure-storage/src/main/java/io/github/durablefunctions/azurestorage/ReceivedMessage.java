package io.github.durablefunctions.azurestorage;

import java.time.Instant;

/**
 * One received queue message and the receipt needed to update or delete it. The pop receipt changes with every
 * visibility update, so it is mutable.
 */
final class ReceivedMessage {
    private final TaskHubQueue queue;
    private final String messageId;
    private final long dequeueCount;
    private final Instant insertedOn;
    private final MessageData data;
    private volatile String popReceipt;

    ReceivedMessage(TaskHubQueue queue, String messageId, String popReceipt, long dequeueCount, Instant insertedOn,
                    MessageData data) {
        this.queue = queue;
        this.messageId = messageId;
        this.popReceipt = popReceipt;
        this.dequeueCount = dequeueCount;
        this.insertedOn = insertedOn;
        this.data = data;
    }

    /** The queue it was received from. */
    TaskHubQueue queue() {
        return queue;
    }

    String messageId() {
        return messageId;
    }

    String popReceipt() {
        return popReceipt;
    }

    void popReceipt(String value) {
        this.popReceipt = value;
    }

    /** How many times the message has been received, this time included. */
    long dequeueCount() {
        return dequeueCount;
    }

    /** When the message was first enqueued. */
    Instant insertedOn() {
        return insertedOn;
    }

    /** The parsed envelope. */
    MessageData data() {
        return data;
    }

    @Override
    public String toString() {
        String what = data == null || data.taskMessage() == null ? "?"
                : data.taskMessage().event().eventType() + " for '" + data.instanceId() + "'";
        return "message " + messageId + " (" + what + ", queue " + queue.name() + ", dequeue count " + dequeueCount
                + ")";
    }
}
