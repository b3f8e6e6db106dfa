package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.history.HistoryEvent;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Loads recorded histories from a task hub through the backend SPI ({@link OrchestrationServiceClient}), so it works
 * with any backend: Azure Storage or Azurite through {@code AzureStorageOrchestrationService}, or an in-memory one.
 * Pair it with {@link HistoryFile} to export histories for a {@link ReplayCheck}.
 */
public final class HistoryLoader {
    private final OrchestrationServiceClient client;

    /** A loader over a backend client. */
    public HistoryLoader(OrchestrationServiceClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * The history of the current execution of an instance, with its instance ID, execution ID and orchestrator name
     * from the instance's state.
     *
     * @throws IllegalArgumentException if no instance with that ID exists, or it has no history (it has not started
     *                                  yet)
     */
    public RecordedHistory load(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("An instance ID is needed to load a history");
        }
        OrchestrationState state = client.getOrchestrationState(instanceId, false);
        if (state == null) {
            throw new IllegalArgumentException("No orchestration instance '" + instanceId + "' exists in the task hub");
        }
        List<HistoryEvent> events = client.getOrchestrationHistory(instanceId);
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("The orchestration instance '" + instanceId + "' has no history yet "
                    + "(status " + state.runtimeStatus().statusName() + ")");
        }
        RecordedHistory fromEvents = RecordedHistory.of(events);
        return new RecordedHistory(instanceId,
                state.executionId() != null ? state.executionId() : fromEvents.executionId(),
                state.name() != null ? state.name() : fromEvents.name(), events);
    }

    /**
     * Loads an instance's history and writes it to a history file.
     *
     * @return the history written
     * @throws IllegalArgumentException as {@link #load}
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public RecordedHistory export(String instanceId, Path file) {
        RecordedHistory history = load(instanceId);
        HistoryFile.write(file, history);
        return history;
    }
}
