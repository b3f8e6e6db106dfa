package io.github.durablefunctions;

import java.time.Instant;

/** Which entities {@link DurableEntityClient#queryEntities} returns, one page at a time. */
public final class EntityQuery {
    /** The default page size. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    private String instanceIdStartsWith;
    private Instant lastModifiedFrom;
    private Instant lastModifiedTo;
    private boolean includeState;
    private boolean includeTransient;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private String continuationToken;

    /**
     * Only entities whose instance ID starts with this prefix: {@code @counter@} for the entities named counter; a
     * prefix without the leading {@code @} gets one, and the name part is lower-cased. Null means all entities.
     */
    public EntityQuery setInstanceIdStartsWith(String prefix) {
        this.instanceIdStartsWith = prefix;
        return this;
    }

    /** Only entities last modified at or after this time; null for no bound. */
    public EntityQuery setLastModifiedFrom(Instant from) {
        this.lastModifiedFrom = from;
        return this;
    }

    /** Only entities last modified at or before this time; null for no bound. */
    public EntityQuery setLastModifiedTo(Instant to) {
        this.lastModifiedTo = to;
        return this;
    }

    /** Whether to read each entity's state; default false. */
    public EntityQuery setIncludeState(boolean includeState) {
        this.includeState = includeState;
        return this;
    }

    /**
     * Whether to include transient entities, which have no state but still a row (deleted, or only locked or
     * queued); default false.
     */
    public EntityQuery setIncludeTransient(boolean includeTransient) {
        this.includeTransient = includeTransient;
        return this;
    }

    /**
     * Rows read per page (default {@value #DEFAULT_PAGE_SIZE}); a page can hold fewer entities when transient ones
     * are left out.
     *
     * @throws IllegalArgumentException if not positive
     */
    public EntityQuery setPageSize(int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("The page size must be at least 1, was " + pageSize);
        }
        this.pageSize = pageSize;
        return this;
    }

    /** The token of the previous page's result, or null for the first page. */
    public EntityQuery setContinuationToken(String continuationToken) {
        this.continuationToken = continuationToken;
        return this;
    }

    public String getInstanceIdStartsWith() {
        return instanceIdStartsWith;
    }

    public Instant getLastModifiedFrom() {
        return lastModifiedFrom;
    }

    public Instant getLastModifiedTo() {
        return lastModifiedTo;
    }

    public boolean isIncludeState() {
        return includeState;
    }

    public boolean isIncludeTransient() {
        return includeTransient;
    }

    public int getPageSize() {
        return pageSize;
    }

    public String getContinuationToken() {
        return continuationToken;
    }
}
