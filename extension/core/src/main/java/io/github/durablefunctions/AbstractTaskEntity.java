package io.github.durablefunctions;

/**
 * A class-style entity: its public methods are its operations, its state is the {@link #state} field.
 *
 * <p>For each operation, a new instance (from the entity's {@link TaskEntityFactory}) loads {@link #state} from the
 * stored state (or {@link #initializeState} if the entity has none), calls the public method whose name equals the
 * operation name ignoring case, and stores {@link #state} back when the method returns. A method takes zero, one or
 * two parameters: the operation input (deserialized to the parameter's type, generics included) and/or a
 * {@link TaskEntityContext}; its return value is the operation result. An operation named {@code delete} with no
 * such method deletes the state. Any other unknown operation fails with {@link UnsupportedOperationException}.
 *
 * @param <TState> the state type, serialized with the data converter
 */
public abstract class AbstractTaskEntity<TState> implements TaskEntity {
    /** The entity's state during an operation. */
    protected TState state;
    /** The entity's context during an operation. */
    protected TaskEntityContext context;

    /** The state's class, for deserializing it. */
    protected abstract Class<TState> getStateType();

    /**
     * The state of an entity that has none yet. The default: a new instance by the public no-argument constructor if
     * there is one, zero for the boxed number types, false for {@code Boolean}, else null.
     */
    protected TState initializeState(TaskEntityOperation operation) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Dispatches the operation to the public method of that name (see the class description).
     *
     * @throws UnsupportedOperationException if there is no such method and the operation is not {@code delete}
     * @throws Exception                     whatever the method throws (unwrapped from reflection)
     */
    @Override
    public Object run(TaskEntityOperation operation) throws Exception {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
