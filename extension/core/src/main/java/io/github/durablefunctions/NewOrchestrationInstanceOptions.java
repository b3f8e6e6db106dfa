package io.github.durablefunctions;

import java.time.Instant;
import java.util.Map;

/** Options for {@link DurableTaskClient#scheduleNewOrchestrationInstance(String, NewOrchestrationInstanceOptions)}. */
public final class NewOrchestrationInstanceOptions {
    private String instanceId;
    private Object input;
    private String version;
    private Instant startTime;
    private Map<String, String> tags;

    /** The instance ID to use; null means a new random ID (32 lower-case hex digits). */
    public NewOrchestrationInstanceOptions setInstanceId(String instanceId) {
        this.instanceId = instanceId;
        return this;
    }

    /** The orchestration's input, serialized to JSON by the client's data converter; may be null. */
    public NewOrchestrationInstanceOptions setInput(Object input) {
        this.input = input;
        return this;
    }

    /** The orchestration version recorded with the instance; null means none. */
    public NewOrchestrationInstanceOptions setVersion(String version) {
        this.version = version;
        return this;
    }

    /** A time before which the orchestration does not start (scheduled start); null means now. */
    public NewOrchestrationInstanceOptions setStartTime(Instant startTime) {
        this.startTime = startTime;
        return this;
    }

    /** Tags stored with the instance; null means none. */
    public NewOrchestrationInstanceOptions setTags(Map<String, String> tags) {
        this.tags = tags == null ? null : Map.copyOf(tags);
        return this;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public Object getInput() {
        return input;
    }

    public String getVersion() {
        return version;
    }

    public Instant getStartTime() {
        return startTime;
    }

    public Map<String, String> getTags() {
        return tags;
    }
}
