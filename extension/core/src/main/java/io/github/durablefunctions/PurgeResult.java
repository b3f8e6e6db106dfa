package io.github.durablefunctions;

/**
 * The outcome of a purge.
 *
 * @param deletedInstanceCount how many instances were deleted
 */
public record PurgeResult(int deletedInstanceCount) {
    public int getDeletedInstanceCount() {
        return deletedInstanceCount;
    }
}
