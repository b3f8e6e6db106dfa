package io.github.durablefunctions;

/** What {@link DurableEntityClient#cleanEntityStorage} does. */
public final class CleanEntityStorageRequest {
    private boolean removeEmptyEntities = true;
    private boolean releaseOrphanedLocks = true;
    private boolean continueUntilComplete = true;
    private String continuationToken;

    /**
     * Remove the rows of entities that have no state, no lock and no queued operations, and that have been idle for
     * longer than the entity message reorder window (30 minutes by default); default true.
     */
    public CleanEntityStorageRequest setRemoveEmptyEntities(boolean value) {
        this.removeEmptyEntities = value;
        return this;
    }

    /** Release locks held by orchestrations that no longer run (finished or gone); default true. */
    public CleanEntityStorageRequest setReleaseOrphanedLocks(boolean value) {
        this.releaseOrphanedLocks = value;
        return this;
    }

    /** Go through all entities in one call (true, the default) or one page per call. */
    public CleanEntityStorageRequest setContinueUntilComplete(boolean value) {
        this.continueUntilComplete = value;
        return this;
    }

    /** Where to go on from (the previous result's token), or null to start at the beginning. */
    public CleanEntityStorageRequest setContinuationToken(String continuationToken) {
        this.continuationToken = continuationToken;
        return this;
    }

    public boolean isRemoveEmptyEntities() {
        return removeEmptyEntities;
    }

    public boolean isReleaseOrphanedLocks() {
        return releaseOrphanedLocks;
    }

    public boolean isContinueUntilComplete() {
        return continueUntilComplete;
    }

    public String getContinuationToken() {
        return continuationToken;
    }
}
