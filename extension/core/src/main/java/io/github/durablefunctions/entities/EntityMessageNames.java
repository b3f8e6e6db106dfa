package io.github.durablefunctions.entities;

import java.time.Instant;

/** The {@code EventRaised} names of entity messages (storage-layout.md §9). */
public final class EntityMessageNames {
    /** A call, signal or lock request. */
    public static final String REQUEST = "op";
    /** A lock release. */
    public static final String RELEASE = "release";
    /** An entity waking itself to go on with its queue. */
    public static final String CONTINUE = "continue";
    /** The result of a granted lock request. */
    public static final String LOCK_ACQUISITION_COMPLETED = "Lock Acquisition Completed";

    private EntityMessageNames() {
    }

    /** The name of a request scheduled for {@code time}: {@code op@<time, round-trip "o" format>}. */
    public static String scheduledRequest(Instant time) {
        return REQUEST + "@" + EntityJson.formatRoundTrip(time);
    }

    /** True for {@code op} and {@code op@<time>}. */
    public static boolean isRequest(String eventName) {
        return REQUEST.equals(eventName) || (eventName != null && eventName.startsWith(REQUEST + "@"));
    }

    /**
     * The delivery time of a scheduled request's event name ({@code op@<time>}).
     *
     * @return the time, or null for other names (including {@code op}) and unparsable times
     */
    public static Instant scheduledTimeOf(String eventName) {
        if (eventName == null || !eventName.startsWith(REQUEST + "@")) {
            return null;
        }
        try {
            return EntityJson.parseDateTime(eventName.substring(REQUEST.length() + 1));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
