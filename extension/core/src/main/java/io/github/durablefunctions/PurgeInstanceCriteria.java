package io.github.durablefunctions;

import java.time.Instant;
import java.util.List;

/** Which instances {@link DurableTaskClient#purgeInstances} deletes. Fluent setters. */
public final class PurgeInstanceCriteria {
    private Instant createdTimeFrom;
    private Instant createdTimeTo;
    private List<OrchestrationRuntimeStatus> runtimeStatusList = List.of();

    /** Instances created at or after this time. Required. */
    public PurgeInstanceCriteria setCreatedTimeFrom(Instant createdTimeFrom) {
        this.createdTimeFrom = createdTimeFrom;
        return this;
    }

    /** Instances created at or before this time; null means now. */
    public PurgeInstanceCriteria setCreatedTimeTo(Instant createdTimeTo) {
        this.createdTimeTo = createdTimeTo;
        return this;
    }

    /**
     * Instances in these statuses; only Completed, Failed, Terminated and Canceled are ever purged (others in the list
     * are ignored). Empty (the default) means all four.
     */
    public PurgeInstanceCriteria setRuntimeStatusList(List<OrchestrationRuntimeStatus> runtimeStatusList) {
        this.runtimeStatusList = runtimeStatusList == null ? List.of() : List.copyOf(runtimeStatusList);
        return this;
    }

    public Instant getCreatedTimeFrom() {
        return createdTimeFrom;
    }

    public Instant getCreatedTimeTo() {
        return createdTimeTo;
    }

    public List<OrchestrationRuntimeStatus> getRuntimeStatusList() {
        return runtimeStatusList;
    }
}
