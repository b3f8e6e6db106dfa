package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An entity's custom status ({@code CustomStatus} of its Instances row), e.g.
 * {@code {"entityExists":true,"queueSize":2,"lockedBy":"orch1"}}; members with default values are left out
 * (storage-layout.md §9). A wire type.
 */
@JsonPropertyOrder({"entityExists", "queueSize", "lockedBy"})
public final class EntityStatus {
    @JsonProperty("entityExists")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean entityExists;

    @JsonProperty("queueSize")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public int queueSize;

    @JsonProperty("lockedBy")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String lockedBy;

    /** The status of a scheduler state. */
    public static EntityStatus of(SchedulerState state) {
        EntityStatus s = new EntityStatus();
        s.entityExists = state != null && state.entityState != null;
        s.queueSize = state == null || state.queue == null ? 0 : state.queue.size();
        s.lockedBy = state == null ? null : state.lockedBy;
        return s;
    }

    public String toJson() {
        return EntityJson.write(this);
    }

    /**
     * Parses a custom status.
     *
     * @return the status, or null if the JSON is null, {@code "null"} or not an entity status object
     */
    public static EntityStatus fromJson(String json) {
        if (json == null || json.isBlank() || json.equals("null")) {
            return null;
        }
        try {
            return EntityJson.read(json, EntityStatus.class);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
