package io.github.durablefunctions;

/**
 * The runtime status of an orchestration instance.
 *
 * <p>The declaration order is the Durable Task Framework's {@code OrchestrationStatus} enum: the ordinal is the
 * integer used in queue JSON, and {@link #statusName()} is the string stored in the Instances table and shown by the
 * HTTP API (storage-layout.md §4, §6.2).
 */
public enum OrchestrationRuntimeStatus {
    RUNNING("Running"),
    COMPLETED("Completed"),
    CONTINUED_AS_NEW("ContinuedAsNew"),
    FAILED("Failed"),
    CANCELED("Canceled"),
    TERMINATED("Terminated"),
    PENDING("Pending"),
    SUSPENDED("Suspended");

    private final String statusName;

    OrchestrationRuntimeStatus(String statusName) {
        this.statusName = statusName;
    }

    /** The status name as stored and shown, e.g. {@code "ContinuedAsNew"}. */
    public String statusName() {
        return statusName;
    }

    /** The integer of the status in queue JSON (Running=0 ... Suspended=7). */
    public int wireValue() {
        return ordinal();
    }

    /** True for statuses an instance never leaves on its own: Completed, Failed, Canceled, Terminated. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED || this == TERMINATED;
    }

    /**
     * Parses a stored status name ({@code "Running"}), exactly as written.
     *
     * @throws IllegalArgumentException if the name is not one of the eight status names
     */
    public static OrchestrationRuntimeStatus fromStatusName(String name) {
        for (OrchestrationRuntimeStatus s : values()) {
            if (s.statusName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown orchestration status name: '" + name + "'");
    }

    /**
     * The status for a queue JSON integer.
     *
     * @throws IllegalArgumentException if the value is outside 0..7
     */
    public static OrchestrationRuntimeStatus fromWireValue(int value) {
        OrchestrationRuntimeStatus[] all = values();
        if (value < 0 || value >= all.length) {
            throw new IllegalArgumentException("Unknown orchestration status value: " + value);
        }
        return all[value];
    }
}
