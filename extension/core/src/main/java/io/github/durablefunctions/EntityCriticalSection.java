package io.github.durablefunctions;

import java.util.List;

/**
 * Locks an orchestration holds on a set of entities, from {@link TaskOrchestrationContext#lockEntities}. While it
 * is open, the orchestration may call (not signal) the locked entities, and no other orchestration or client
 * operation reaches them: their requests wait in the entities' queues. {@link #close()} releases every lock (one
 * {@code release} message per entity, storage-layout.md §9); use it with try-with-resources. Locks still held when
 * the orchestration completes or fails are released then.
 */
public interface EntityCriticalSection extends AutoCloseable {
    /** The locked entities, in lock order (sorted). */
    List<EntityInstanceId> getLockedEntities();

    /** Releases the locks. Idempotent. Never throws. */
    @Override
    void close();
}
