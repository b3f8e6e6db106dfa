package io.github.durablefunctions.client;

import io.github.durablefunctions.CleanEntityStorageRequest;
import io.github.durablefunctions.CleanEntityStorageResult;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.EntityQueryResult;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.backend.OrchestrationServiceClient;

import java.time.Duration;

/**
 * A {@link DurableEntityClient} over a backend's client SPI: signals are {@code EventRaised} messages to the entity's
 * instance, metadata and queries read entity instance states and parse their scheduler state (storage-layout.md §9).
 */
public final class BackendDurableEntityClient extends DurableEntityClient {
    private final OrchestrationServiceClient backend;
    private final DataConverter dataConverter;
    private final Duration reorderWindow;

    /**
     * @param reorderWindow the entity message reorder window: empty entities idle for less than this are not removed
     *                      by {@link #cleanEntityStorage}
     */
    public BackendDurableEntityClient(OrchestrationServiceClient backend, DataConverter dataConverter,
                                      Duration reorderWindow) {
        this.backend = backend;
        this.dataConverter = dataConverter;
        this.reorderWindow = reorderWindow;
    }

    @Override
    public void signalEntity(EntityInstanceId entityId, String operationName, Object input,
                             SignalEntityOptions options) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public EntityMetadata getEntityMetadata(EntityInstanceId entityId, boolean includeState) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public EntityQueryResult queryEntities(EntityQuery query) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public CleanEntityStorageResult cleanEntityStorage(CleanEntityStorageRequest request) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
