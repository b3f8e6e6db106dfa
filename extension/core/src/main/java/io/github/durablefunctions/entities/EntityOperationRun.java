package io.github.durablefunctions.entities;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.TaskEntityContext;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;

import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One operation as the {@link EntityExecutor} runs it: the {@link TaskEntityOperation} handed to the entity, with its
 * state (held as JSON text, serialized at each {@code setState}) and its context, which collects the signals and
 * orchestration starts the operation asks for. The executor commits them only if the operation succeeds.
 */
final class EntityOperationRun implements TaskEntityOperation {
    /** Instance IDs of orchestrations: 1 to 256 characters (the rule of Durable Functions). */
    static final int MAX_INSTANCE_ID_LENGTH = 256;

    /** A signal asked for by an operation: not yet labelled by the sorter (that happens on commit). */
    record PendingSignal(EntityInstanceId target, RequestMessage request) {
    }

    /** An orchestration start asked for by an operation. */
    record PendingStart(String name, String instanceId, String input) {
    }

    private final String name;
    private final String input;
    private final DataConverter dataConverter;
    private final State state;
    private final Context context;
    /** {@link PendingSignal}s and {@link PendingStart}s in the order the operation asked for them. */
    final List<Object> actions = new ArrayList<>();

    EntityOperationRun(String name, String input, String stateJson, EntityInstanceId entityId, Instant now,
                       DataConverter dataConverter) {
        this.name = name;
        this.input = input;
        this.dataConverter = dataConverter;
        this.state = new State(stateJson);
        this.context = new Context(entityId, now);
    }

    /** The state JSON after the operation (null if deleted). */
    String stateJson() {
        return state.json;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean hasInput() {
        return input != null;
    }

    @Override
    public <T> T getInput(Class<T> type) {
        return dataConverter.deserialize(input, type);
    }

    @Override
    public Object getInput(Type type) {
        return dataConverter.deserialize(input, type);
    }

    @Override
    public TaskEntityState getState() {
        return state;
    }

    @Override
    public TaskEntityContext getContext() {
        return context;
    }

    @Override
    public String toString() {
        return "operation '" + name + "' on " + context.entityId;
    }

    private final class State implements TaskEntityState {
        private String json;

        State(String json) {
            this.json = json;
        }

        @Override
        public boolean hasState() {
            return json != null;
        }

        @Override
        public <T> T getState(Class<T> type) {
            return json == null ? null : dataConverter.deserialize(json, type);
        }

        @Override
        public void setState(Object value) {
            json = value == null ? null : dataConverter.serialize(value);
        }

        @Override
        public void deleteState() {
            json = null;
        }
    }

    private final class Context implements TaskEntityContext {
        private final EntityInstanceId entityId;
        private final Instant now;

        Context(EntityInstanceId entityId, Instant now) {
            this.entityId = entityId;
            this.now = now;
        }

        @Override
        public EntityInstanceId getId() {
            return entityId;
        }

        @Override
        public void signalEntity(EntityInstanceId target, String operationName, Object input,
                                 SignalEntityOptions options) {
            if (target == null) {
                throw new IllegalArgumentException("The entity to signal must not be null");
            }
            if (operationName == null) {
                throw new IllegalArgumentException("The operation name of a signal must not be null");
            }
            RequestMessage request = new RequestMessage();
            request.operation = operationName;
            request.signal = true;
            request.input = dataConverter.serialize(input);
            request.id = UUID.randomUUID().toString();
            request.parentInstanceId = entityId.toString();
            request.parentExecutionId = null; // the sorter carries over between an entity's executions
            request.requestTime = EntityJson.toTicks(now);
            Instant at = options == null ? null : options.getScheduledTime();
            if (at != null && at.isAfter(now)) {
                request.scheduledTime = EntityJson.toTicks(at);
            }
            actions.add(new PendingSignal(target, request));
        }

        @Override
        public String startNewOrchestration(String orchestrationName, Object input, String instanceId) {
            if (orchestrationName == null || orchestrationName.isBlank()) {
                throw new IllegalArgumentException("An orchestrator name is required to start an orchestration");
            }
            String id = instanceId != null ? instanceId : UUID.randomUUID().toString().replace("-", "");
            if (id.isEmpty() || id.length() > MAX_INSTANCE_ID_LENGTH) {
                throw new IllegalArgumentException("An instance ID must be 1 to " + MAX_INSTANCE_ID_LENGTH
                        + " characters long");
            }
            if (EntityInstanceId.isEntityInstanceId(id)) {
                throw new IllegalArgumentException("Instance IDs starting with '@' are reserved for entities: '"
                        + id + "'");
            }
            actions.add(new PendingStart(orchestrationName, id, dataConverter.serialize(input)));
            return id;
        }
    }
}
