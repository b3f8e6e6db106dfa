package io.github.durablefunctions.entities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.github.durablefunctions.EntityInstanceId;

import java.time.Instant;
import java.util.List;

/**
 * A call, signal or lock request to an entity: the {@code Input} of an {@code EventRaised} named {@code op} or
 * {@code op@<time>} (DTFx {@code RequestMessage}, storage-layout.md §9). A wire type: public mutable fields, the
 * JSON member names of the DTFx data contract, defaults left out as marked.
 */
@JsonPropertyOrder({"op", "signal", "input", "id", "parent", "parentExecution", "due", "Timestamp", "Predecessor",
        "lockset", "pos", "parentTraceContext", "createTrace", "requestTime"})
public final class RequestMessage {
    /** The operation name; null for a lock request (left out; DTFx writes {@code "op":null}, read the same). */
    @JsonProperty("op")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String operation;

    /** True for a one-way signal (left out when false). */
    @JsonProperty("signal")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean signal;

    /** The operation input JSON, or null (left out). */
    @JsonProperty("input")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String input;

    /** The request ID: a GUID in "D" format; responses are named by it. */
    @JsonProperty("id")
    public String id;

    /** The caller's instance ID; null for client signals (left out). */
    @JsonProperty("parent")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String parentInstanceId;

    /** The caller's execution ID; null for client signals and for signals from entities (left out). */
    @JsonProperty("parentExecution")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String parentExecutionId;

    /** For scheduled signals: the delivery time (left out otherwise). */
    @JsonProperty("due")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant scheduledTime;

    /** The sender's timestamp for ordering ({@link MessageSorter}); unique and increasing per sender and target. */
    @JsonProperty("Timestamp")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant timestamp;

    /** The timestamp of the previous message from the same sender to the same target, if within the window. */
    @JsonProperty("Predecessor")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant predecessor;

    /** For lock requests: the entities to lock, sorted (left out otherwise). */
    @JsonProperty("lockset")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public List<EntityIdJson> lockSet;

    /** For lock requests: the position in {@link #lockSet} of the entity receiving it (left out when 0). */
    @JsonProperty("pos")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public int position;

    /** W3C trace context of the caller, or null (left out). */
    @JsonProperty("parentTraceContext")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Object parentTraceContext;

    /** Whether to create a trace (left out when false). */
    @JsonProperty("createTrace")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean createTrace;

    /** When the request was made ({@code DateTimeOffset}), or null (left out). */
    @JsonProperty("requestTime")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = EntityJson.DateTimeOffsetSerializer.class)
    @JsonDeserialize(using = EntityJson.DateTimeDeserializer.class)
    public Instant requestTime;

    /** True for a lock request (it has a lock set); derived, not written. */
    @JsonIgnore
    public boolean isLockRequest() {
        return lockSet != null;
    }

    /** The lock set as entity IDs. */
    @JsonIgnore
    public List<EntityInstanceId> lockSetIds() {
        return lockSet == null ? List.of() : lockSet.stream().map(EntityIdJson::toEntityId).toList();
    }

    /** This request as JSON. */
    public String toJson() {
        return EntityJson.write(this);
    }

    /**
     * Parses a request.
     *
     * @throws IllegalArgumentException if the JSON is not a request message (or has no {@code id})
     */
    public static RequestMessage fromJson(String json) {
        RequestMessage m = EntityJson.read(json, RequestMessage.class);
        if (m == null || m.id == null) {
            throw new IllegalArgumentException("Not a valid entity request message (no \"id\"): " + json);
        }
        return m;
    }

    /** An entity ID as DTFx writes it inside lock sets: {@code {"name":"counter","key":"x"}}. */
    @JsonPropertyOrder({"name", "key"})
    public record EntityIdJson(@JsonProperty("name") String name, @JsonProperty("key") String key) {
        public static EntityIdJson of(EntityInstanceId id) {
            return new EntityIdJson(id.getName(), id.getKey());
        }

        public EntityInstanceId toEntityId() {
            return new EntityInstanceId(name, key);
        }
    }
}
