package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Delivers entity requests in the order each sender sent them, and drops duplicates, although queues may reorder
 * and repeat messages (DTFx {@code MessageSorter}, storage-layout.md §9).
 *
 * <p>Sending side ({@link #labelOutgoingMessage}): each request gets a {@code Timestamp}, strictly increasing per
 * target, and a {@code Predecessor}: the timestamp of the sender's previous request to the same target, if that was
 * within the reorder window. Receiving side ({@link #receiveInOrder}): per sender (and sender execution), a request
 * is delivered once every predecessor within the window was; earlier ones wait in a buffer; a request with a
 * timestamp at or before the last one delivered is a duplicate. Requests without a parent (from clients), forwarded
 * lock requests ({@code pos > 0}) and a zero window bypass the sorter.
 *
 * <p>Horizons let old bookkeeping go: once the newest timestamp is more than the window (plus 10 s) past a horizon,
 * the horizon moves to newest − window, entries older than it are dropped and buffered requests older than it are
 * delivered.
 */
@JsonPropertyOrder({"LastSentToInstance", "ReceivedFromInstance", "ReceiveHorizon", "SendHorizon"})
public final class MessageSorter {
    /** The default reorder window ({@code entityMessageReorderWindowInMinutes}: 30). */
    public static final Duration DEFAULT_REORDER_WINDOW = Duration.ofMinutes(30);
    /** How far past a horizon the newest timestamp must be before the horizon moves (DTFx: 10 s). */
    static final Duration MIN_INTERVAL_BETWEEN_COLLECTIONS = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofNanos(100);

    /** Per target instance ID (case-insensitive): the timestamp of the last request sent to it. */
    @JsonProperty("LastSentToInstance")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonSerialize(contentUsing = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(as = CaseInsensitiveMap.class, contentUsing = EntityJson.DateTimeDeserializer.class)
    public Map<String, Instant> lastSentToInstance;

    /** Per sender instance ID (case-insensitive): what was received from it. */
    @JsonProperty("ReceivedFromInstance")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonDeserialize(as = CaseInsensitiveMap.class)
    public Map<String, ReceiveBuffer> receivedFromInstance;

    /** Requests with timestamps before this are not ordered any more. */
    @JsonProperty("ReceiveHorizon")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant receiveHorizon;

    /** Send clocks before this are forgotten. */
    @JsonProperty("SendHorizon")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant sendHorizon;

    /** A map with case-insensitive instance ID keys, as the sorter's maps are also after a JSON round trip. */
    static final class CaseInsensitiveMap<V> extends TreeMap<String, V> {
        private static final long serialVersionUID = 1L;

        CaseInsensitiveMap() {
            super(String.CASE_INSENSITIVE_ORDER);
        }
    }

    /** What a receiver knows of one sender. */
    @JsonPropertyOrder({"Last", "ExecutionId", "Buffered"})
    public static final class ReceiveBuffer {
        /** The timestamp of the last request delivered; null when none within the window. */
        @JsonProperty("Last")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
        @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
        public Instant last;

        /** The sender's execution ID. */
        @JsonProperty("ExecutionId")
        public String executionId;

        /** Requests waiting for a predecessor, by timestamp. */
        @JsonProperty("Buffered")
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        @JsonSerialize(keyUsing = EntityJson.DateTimeKeySerializer.class)
        @JsonDeserialize(keyUsing = EntityJson.DateTimeKeyDeserializer.class, as = TreeMap.class)
        public TreeMap<Instant, RequestMessage> buffered;

        boolean isIdle() {
            return last == null && (buffered == null || buffered.isEmpty());
        }
    }

    /** True when the sorter holds nothing. */
    @JsonIgnore
    public boolean isEmpty() {
        return (lastSentToInstance == null || lastSentToInstance.isEmpty())
                && (receivedFromInstance == null || receivedFromInstance.isEmpty());
    }

    /**
     * Labels a request before it is sent: sets its {@code Timestamp} (at least {@code now}, and after the last one
     * sent to {@code target}) and its {@code Predecessor}. Does nothing for a zero window.
     *
     * @param now the sender's current time: for an orchestration its replay-safe current time, so that replays
     *            label identically
     */
    public void labelOutgoingMessage(RequestMessage message, String target, Instant now, Duration reorderWindow) {
        if (reorderWindow.isZero()) {
            return;
        }
        Instant timestamp = EntityJson.toTicks(now);
        if (sendHorizon == null || sendHorizon.plus(reorderWindow).plus(MIN_INTERVAL_BETWEEN_COLLECTIONS)
                .isBefore(now)) {
            sendHorizon = timestamp.minus(reorderWindow);
            if (lastSentToInstance != null) {
                Instant horizon = sendHorizon;
                lastSentToInstance.values().removeIf(t -> t.isBefore(horizon));
            }
        }
        if (lastSentToInstance == null) {
            lastSentToInstance = new CaseInsensitiveMap<>();
        }
        Instant last = lastSentToInstance.get(target);
        if (last != null) {
            message.predecessor = last;
            if (!timestamp.isAfter(last)) {
                timestamp = last.plus(TICK);
            }
        }
        message.timestamp = timestamp;
        lastSentToInstance.put(target, timestamp);
    }

    /**
     * Receives a request and returns the requests that may be processed now, in order: none (a duplicate, or one
     * waiting for a predecessor), this one, or this one followed by buffered ones it unblocked (and possibly buffered
     * ones released because the horizon moved).
     */
    public List<RequestMessage> receiveInOrder(RequestMessage message, Duration reorderWindow) {
        List<RequestMessage> out = new ArrayList<>();
        if (reorderWindow.isZero() || message.parentInstanceId == null || message.position > 0
                || message.timestamp == null) {
            out.add(message);
            return out;
        }
        if (receiveHorizon == null || receiveHorizon.plus(reorderWindow).plus(MIN_INTERVAL_BETWEEN_COLLECTIONS)
                .isBefore(message.timestamp)) {
            receiveHorizon = message.timestamp.minus(reorderWindow);
            if (receivedFromInstance != null) {
                for (Iterator<ReceiveBuffer> it = receivedFromInstance.values().iterator(); it.hasNext(); ) {
                    ReceiveBuffer buffer = it.next();
                    if (buffer.last != null && buffer.last.isBefore(receiveHorizon)) {
                        buffer.last = null;
                    }
                    releaseReady(buffer, out, true);
                    if (buffer.isIdle()) {
                        it.remove();
                    }
                }
            }
        }
        if (message.timestamp.isBefore(receiveHorizon)) {
            out.add(message);
            return out;
        }
        if (receivedFromInstance == null) {
            receivedFromInstance = new CaseInsensitiveMap<>();
        }
        ReceiveBuffer buffer = receivedFromInstance.get(message.parentInstanceId);
        if (buffer == null) {
            buffer = new ReceiveBuffer();
            buffer.executionId = message.parentExecutionId;
            receivedFromInstance.put(message.parentInstanceId, buffer);
        } else if (buffer.executionId == null ? message.parentExecutionId != null
                : !buffer.executionId.equals(message.parentExecutionId)) {
            // A new execution of the sender: what was buffered from the old one is delivered as it is.
            if (buffer.buffered != null) {
                out.addAll(buffer.buffered.values());
                buffer.buffered.clear();
            }
            buffer.last = null;
            buffer.executionId = message.parentExecutionId;
        }
        if (buffer.last != null && !message.timestamp.isAfter(buffer.last)) {
            return out; // delivered before: a duplicate
        }
        Instant predecessor = message.predecessor;
        boolean waiting = predecessor != null && (buffer.last == null || predecessor.isAfter(buffer.last))
                && !predecessor.isBefore(receiveHorizon);
        if (waiting) {
            if (buffer.buffered == null) {
                buffer.buffered = new TreeMap<>();
            }
            buffer.buffered.put(message.timestamp, message);
        } else {
            out.add(message);
            buffer.last = message.timestamp.isBefore(receiveHorizon) ? null : message.timestamp;
            releaseReady(buffer, out, false);
        }
        if (buffer.isIdle()) {
            receivedFromInstance.remove(message.parentInstanceId);
        }
        return out;
    }

    /**
     * Delivers buffered requests whose predecessor was delivered (or, when the horizon moved, that are past it).
     */
    private void releaseReady(ReceiveBuffer buffer, List<RequestMessage> out, boolean horizonMoved) {
        while (buffer.buffered != null && !buffer.buffered.isEmpty()) {
            Map.Entry<Instant, RequestMessage> first = buffer.buffered.firstEntry();
            Instant predecessor = first.getValue().predecessor;
            boolean ready = predecessor == null
                    || (buffer.last != null && !predecessor.isAfter(buffer.last))
                    || (horizonMoved && predecessor.isBefore(receiveHorizon));
            if (!ready) {
                return;
            }
            buffer.buffered.pollFirstEntry();
            buffer.last = first.getKey();
            out.add(first.getValue());
        }
    }

    /** Leaves an empty sorter out of the JSON ({@code @JsonInclude} filter). */
    public static final class EmptyFilter {
        @Override
        public boolean equals(Object other) {
            return other == null || (other instanceof MessageSorter s && s.isEmpty());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
