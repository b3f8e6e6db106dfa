package io.github.durablefunctions;

import java.time.Instant;
import java.util.Objects;

/**
 * What the instance store knows of an entity (its Instances row, storage-layout.md §9): the scheduler state holds its
 * state, its queue of waiting operations and its lock owner.
 */
public final class EntityMetadata {
    private final EntityInstanceId entityInstanceId;
    private final Instant lastModifiedTime;
    private final int backlogQueueSize;
    private final String lockedBy;
    private final String serializedState;
    private final boolean includesState;
    private final DataConverter dataConverter;

    /**
     * @param entityInstanceId the entity
     * @param lastModifiedTime when its last batch of operations ran (the row's {@code LastUpdatedTime})
     * @param backlogQueueSize how many operations wait in its queue (behind a lock)
     * @param lockedBy         the instance ID of the orchestration holding its lock, or null
     * @param serializedState  its state JSON, or null if it has none or state was not read
     * @param includesState    whether state was read
     * @param dataConverter    reads the state in {@link #readStateAs}
     */
    public EntityMetadata(EntityInstanceId entityInstanceId, Instant lastModifiedTime, int backlogQueueSize,
                          String lockedBy, String serializedState, boolean includesState,
                          DataConverter dataConverter) {
        this.entityInstanceId = Objects.requireNonNull(entityInstanceId);
        this.lastModifiedTime = lastModifiedTime;
        this.backlogQueueSize = backlogQueueSize;
        this.lockedBy = lockedBy;
        this.serializedState = serializedState;
        this.includesState = includesState;
        this.dataConverter = Objects.requireNonNull(dataConverter);
    }

    public EntityInstanceId getEntityInstanceId() {
        return entityInstanceId;
    }

    /** When the entity last ran operations (UTC). */
    public Instant getLastModifiedTime() {
        return lastModifiedTime;
    }

    /** Operations waiting in the entity's queue. */
    public int getBacklogQueueSize() {
        return backlogQueueSize;
    }

    /** The instance ID of the orchestration that holds the entity's lock, or null. */
    public String getLockedBy() {
        return lockedBy;
    }

    /** Whether the state was read (see {@link #getSerializedState()}). */
    public boolean isIncludesState() {
        return includesState;
    }

    /** The state JSON; null if the entity has no state or it was not read. */
    public String getSerializedState() {
        return serializedState;
    }

    /**
     * The state, deserialized.
     *
     * @return the state, or null if there is none
     * @throws IllegalStateException               if the state was not read
     * @throws DataConverter.DataConverterException if it does not fit {@code type}
     */
    public <T> T readStateAs(Class<T> type) {
        if (!includesState) {
            throw new IllegalStateException("The state of entity '" + entityInstanceId + "' was not read; ask for it "
                    + "with includeState = true");
        }
        return dataConverter.deserialize(serializedState, type);
    }
}
