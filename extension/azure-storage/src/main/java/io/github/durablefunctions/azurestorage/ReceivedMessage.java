package io.github.durablefunctions.azurestorage;

import java.time.Instant;

/**
 * One received queue message and the receipt needed to update or delete it. The pop receipt changes with every
 * visibility update, so it is mutable. The body is kept as received, so that a poison message can be set aside
 * verbatim ({@link TaskHubQueue#setAside}).
 *
 * <p>A control-queue message that cannot be read but names its instance is handed on as a placeholder once it
 * reaches {@code maxDequeueCount} ({@link #unreadable()} not null): its {@link #data()} is made up (a
 * {@code GenericEvent} addressed to that instance) only so that it is routed to the instance's session, where it is
 * set aside and the instance is failed; it is never processed as a message.
 */
final class ReceivedMessage {
    private final TaskHubQueue queue;
    private final String messageId;
    private final long dequeueCount;
    private final Instant insertedOn;
    private final MessageData data;
    private final String body;
    private final String unreadable;
    private volatile String popReceipt;

    /**
     * @param body       the message text as received (null if it had none)
     * @param unreadable why the body could not be read, for a placeholder; null for a readable message
     */
    ReceivedMessage(TaskHubQueue queue, String messageId, String popReceipt, long dequeueCount, Instant insertedOn,
                    MessageData data, String body, String unreadable) {
        this.queue = queue;
        this.messageId = messageId;
        this.popReceipt = popReceipt;
        this.dequeueCount = dequeueCount;
        this.insertedOn = insertedOn;
        this.data = data;
        this.body = body;
        this.unreadable = unreadable;
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

    /** The parsed envelope (made up for a placeholder, see {@link #unreadable()}). */
    MessageData data() {
        return data;
    }

    /** The message text exactly as received, or null if it had none. */
    String body() {
        return body;
    }

    /** Why the message could not be read, if this is a placeholder for an unreadable message; else null. */
    String unreadable() {
        return unreadable;
    }

    @Override
    public String toString() {
        String what = data == null || data.taskMessage() == null ? "?"
                : unreadable != null ? "unreadable, for '" + data.instanceId() + "'"
                : data.taskMessage().event().eventType() + " for '" + data.instanceId() + "'";
        return "message " + messageId + " (" + what + ", queue " + queue.name() + ", dequeue count " + dequeueCount
                + ")";
    }
}
