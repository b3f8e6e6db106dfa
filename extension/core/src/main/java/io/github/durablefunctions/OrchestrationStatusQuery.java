package io.github.durablefunctions;

import java.time.Instant;
import java.util.List;

/**
 * A filter and page request for {@link DurableTaskClient#queryInstances}. All filters are optional and combine with
 * AND; an unset filter matches everything. Fluent setters, as in the Durable Task Java API.
 */
public final class OrchestrationStatusQuery {
    /** The page size when none is set. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    private List<OrchestrationRuntimeStatus> runtimeStatusList = List.of();
    private Instant createdTimeFrom;
    private Instant createdTimeTo;
    private String instanceIdPrefix;
    private int maxInstanceCount = DEFAULT_PAGE_SIZE;
    private String continuationToken;
    private boolean fetchInputsAndOutputs;

    /** Instances in any of these statuses; empty (the default) means any status. */
    public OrchestrationStatusQuery setRuntimeStatusList(List<OrchestrationRuntimeStatus> runtimeStatusList) {
        this.runtimeStatusList = runtimeStatusList == null ? List.of() : List.copyOf(runtimeStatusList);
        return this;
    }

    /** Instances created at or after this time; null means no lower bound. */
    public OrchestrationStatusQuery setCreatedTimeFrom(Instant createdTimeFrom) {
        this.createdTimeFrom = createdTimeFrom;
        return this;
    }

    /** Instances created at or before this time; null means no upper bound. */
    public OrchestrationStatusQuery setCreatedTimeTo(Instant createdTimeTo) {
        this.createdTimeTo = createdTimeTo;
        return this;
    }

    /** Instances whose ID starts with this prefix (case-sensitive); null means any. */
    public OrchestrationStatusQuery setInstanceIdPrefix(String instanceIdPrefix) {
        this.instanceIdPrefix = instanceIdPrefix;
        return this;
    }

    /**
     * The page size (at most this many instances per page; a page may hold fewer and still have a continuation).
     *
     * @throws IllegalArgumentException unless between 1 and 1000
     */
    public OrchestrationStatusQuery setMaxInstanceCount(int maxInstanceCount) {
        if (maxInstanceCount < 1 || maxInstanceCount > 1000) {
            throw new IllegalArgumentException("The page size must be between 1 and 1000, was " + maxInstanceCount);
        }
        this.maxInstanceCount = maxInstanceCount;
        return this;
    }

    /** The token of the page to read, from a previous {@link OrchestrationStatusQueryResult}; null for the first. */
    public OrchestrationStatusQuery setContinuationToken(String continuationToken) {
        this.continuationToken = continuationToken;
        return this;
    }

    /** Whether to read inputs and outputs too (default false). */
    public OrchestrationStatusQuery setFetchInputsAndOutputs(boolean fetchInputsAndOutputs) {
        this.fetchInputsAndOutputs = fetchInputsAndOutputs;
        return this;
    }

    public List<OrchestrationRuntimeStatus> getRuntimeStatusList() {
        return runtimeStatusList;
    }

    public Instant getCreatedTimeFrom() {
        return createdTimeFrom;
    }

    public Instant getCreatedTimeTo() {
        return createdTimeTo;
    }

    public String getInstanceIdPrefix() {
        return instanceIdPrefix;
    }

    public int getMaxInstanceCount() {
        return maxInstanceCount;
    }

    public String getContinuationToken() {
        return continuationToken;
    }

    public boolean isFetchInputsAndOutputs() {
        return fetchInputsAndOutputs;
    }
}
