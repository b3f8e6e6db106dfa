package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Releases an entity's lock: the {@code Input} of an {@code EventRaised} named {@code release} (DTFx
 * {@code ReleaseMessage}, storage-layout.md §9). A wire type.
 */
@JsonPropertyOrder({"parent", "id"})
public final class ReleaseMessage {
    /** The ID sent by clean-up to release a lock whose owner no longer runs. */
    public static final String FIX_ORPHANED_LOCK = "fix-orphaned-lock";

    /** The lock owner's instance ID. */
    @JsonProperty("parent")
    public String parentInstanceId;

    /** The ID of the lock request (or {@link #FIX_ORPHANED_LOCK}). */
    @JsonProperty("id")
    public String id;

    public static ReleaseMessage of(String parentInstanceId, String id) {
        ReleaseMessage m = new ReleaseMessage();
        m.parentInstanceId = parentInstanceId;
        m.id = id;
        return m;
    }

    public String toJson() {
        return EntityJson.write(this);
    }

    /** @throws IllegalArgumentException if the JSON is not a release message */
    public static ReleaseMessage fromJson(String json) {
        return EntityJson.read(json, ReleaseMessage.class);
    }
}
