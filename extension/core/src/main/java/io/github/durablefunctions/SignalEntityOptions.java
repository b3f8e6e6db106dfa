package io.github.durablefunctions;

import java.time.Instant;

/** Options of a signal to an entity. */
public final class SignalEntityOptions {
    private Instant scheduledTime;

    /**
     * Delivers the signal at this time instead of now (the message's event name becomes {@code op@<time>} and its
     * queue visibility is delayed until then, storage-layout.md §9); null or a past time means now.
     */
    public SignalEntityOptions setScheduledTime(Instant scheduledTime) {
        this.scheduledTime = scheduledTime;
        return this;
    }

    /** The scheduled delivery time, or null. */
    public Instant getScheduledTime() {
        return scheduledTime;
    }
}
