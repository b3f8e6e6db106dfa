package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.AbstractTaskEntity;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;

import java.util.ArrayList;
import java.util.function.UnaryOperator;
import java.util.List;

/** Entities of the end-to-end entity tests, registered with {@code DurableTaskWorker.Builder.addEntity}. */
final class TestEntities {
    private TestEntities() {
    }

    /**
     * A worker on its own task hub of the test's Azurite, with clients for it.
     *
     * @param service  the backend
     * @param worker   the started worker
     * @param client   a client of the hub
     * @param entities the client's entity client
     */
    record Running(AzureStorageOrchestrationService service, DurableTaskWorker worker, DurableTaskClient client,
                   DurableEntityClient entities) implements AutoCloseable {
        /** Starts a worker on {@code hub} with the orchestrators and entities {@code registrations} adds. */
        static Running start(String hub, UnaryOperator<DurableTaskWorker.Builder> registrations) {
            AzureStorageOrchestrationService service =
                    new AzureStorageOrchestrationService(StorageTestSupport.settings(hub).build());
            DurableTaskWorker worker = registrations.apply(DurableTaskWorker.builder().service(service)).build();
            worker.start();
            DurableTaskClient client = new BackendDurableTaskClient(service, new JacksonDataConverter());
            return new Running(service, worker, client, client.getEntities());
        }

        @Override
        public void close() {
            worker.close();
        }
    }

    static EntityInstanceId counter(String key) {
        return new EntityInstanceId("counter", key);
    }

    /**
     * A counter written function style. Operations: {@code add} (an int, default 1), {@code set}, {@code get},
     * {@code delete}, {@code addThenFail} (adds its input and signals {@code add 100} to counter
     * {@code <key>-echo}, then throws: both must be rolled back), {@code stamp} (stores the wall-clock time in
     * epoch milliseconds, to see when a scheduled signal ran).
     */
    static Object counter(TaskEntityOperation operation) {
        TaskEntityState state = operation.getState();
        long value = state.getState(Long.class, 0L);
        switch (operation.getName()) {
            case "add" -> state.setState(value + (operation.hasInput() ? operation.getInput(Long.class) : 1L));
            case "set" -> state.setState(operation.getInput(Long.class));
            case "get" -> {
                return value;
            }
            case "delete" -> state.deleteState();
            case "addThenFail" -> {
                state.setState(value + operation.getInput(Long.class));
                operation.getContext().signalEntity(counter(operation.getContext().getId().getKey() + "-echo"),
                        "add", 100);
                throw new IllegalStateException("addThenFail always fails after adding "
                        + operation.getInput(Long.class));
            }
            case "stamp" -> state.setState(System.currentTimeMillis());
            default -> throw new UnsupportedOperationException("counter has no operation '" + operation.getName()
                    + "'");
        }
        return null;
    }

    /** The value of a counter, or null if it does not exist. */
    static Long counterValue(DurableEntityClient entities, EntityInstanceId id) {
        EntityMetadata metadata = entities.getEntityMetadata(id, true);
        return metadata == null ? null : metadata.readStateAs(Long.class);
    }

    /** A value and an append-only log, written as a class ({@link AbstractTaskEntity}). */
    public static final class Guarded extends AbstractTaskEntity<Guarded.State> {
        /** The entity state: a value and a log of entries. */
        public static final class State {
            public long value;
            public List<String> log = new ArrayList<>();
        }

        @Override
        protected Class<State> getStateType() {
            return State.class;
        }

        public long get() {
            return state.value;
        }

        public void set(long value) {
            state.value = value;
        }

        public void append(String entry) {
            state.log.add(entry);
        }

        public List<String> log() {
            return state.log;
        }
    }

    static EntityInstanceId guarded(String key) {
        return new EntityInstanceId("guarded", key);
    }

    /** The state of a guarded entity, or null if it does not exist. */
    static Guarded.State guardedState(DurableEntityClient entities, EntityInstanceId id) {
        EntityMetadata metadata = entities.getEntityMetadata(id, true);
        return metadata == null ? null : metadata.readStateAs(Guarded.State.class);
    }
}
