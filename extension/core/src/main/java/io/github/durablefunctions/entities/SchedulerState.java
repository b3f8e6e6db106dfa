package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * What an entity keeps between batches: its state, the requests waiting behind a lock, its lock owner and its
 * message sorter. Stored as the {@code Input} of the {@code ExecutionStarted} event of each fresh execution (and the
 * Instances row's {@code Input}); every member is left out when it has its default (storage-layout.md §9). A wire
 * type.
 */
@JsonPropertyOrder({"exists", "state", "queue", "lockedBy", "suspended", "sorter"})
public final class SchedulerState {
    /**
     * DTFx's {@code exists} member: true when the entity has state (left out when false). Derived from
     * {@link #entityState}; ignored when read.
     */
    @JsonProperty(value = "exists", access = JsonProperty.Access.READ_ONLY)
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean entityExists() {
        return entityState != null;
    }

    /** The entity's state JSON; null if the entity does not exist. */
    @JsonProperty("state")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String entityState;

    /** Requests waiting, in arrival order; null when empty. */
    @JsonProperty("queue")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<RequestMessage> queue;

    /** The instance ID of the orchestration holding the lock, or null. */
    @JsonProperty("lockedBy")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String lockedBy;

    /** Whether the entity is suspended (left out when false). */
    @JsonProperty("suspended")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean suspended;

    /** The message sorter (left out when empty). */
    @JsonProperty("sorter")
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = MessageSorter.EmptyFilter.class)
    public MessageSorter sorter = new MessageSorter();

    /** True when the entity has no state, no queue, no lock: the scheduler state is stored as null. */
    @JsonIgnore
    public boolean isEmpty() {
        return entityState == null && (queue == null || queue.isEmpty()) && lockedBy == null && !suspended
                && sorter.isEmpty();
    }

    /** Appends a request to the queue. */
    public void enqueue(RequestMessage request) {
        if (queue == null) {
            queue = new ArrayList<>();
        }
        queue.add(request);
    }

    /** This state as JSON. */
    public String toJson() {
        return EntityJson.write(this);
    }

    /**
     * Parses a scheduler state.
     *
     * @return the state; a new empty one for null or empty text
     * @throws IllegalArgumentException if the JSON is not a scheduler state
     */
    public static SchedulerState fromJson(String json) {
        if (json == null || json.isBlank() || json.equals("null")) {
            return new SchedulerState();
        }
        SchedulerState s = EntityJson.read(json, SchedulerState.class);
        if (s.sorter == null) {
            s.sorter = new MessageSorter();
        }
        return s;
    }
}
