package io.github.durablefunctions;

/**
 * The state of an entity during an operation, held as JSON. An entity exists while it has state;
 * {@link #deleteState()} deletes it. Changes take effect when the operation succeeds.
 */
public interface TaskEntityState {
    /** True if the entity has state (exists). */
    boolean hasState();

    /**
     * The state, deserialized.
     *
     * @return the state, or null if the entity has none
     * @throws DataConverter.DataConverterException if the state does not fit {@code type}
     */
    <T> T getState(Class<T> type);

    /** The state, or {@code defaultValue} if the entity has none. */
    default <T> T getState(Class<T> type, T defaultValue) {
        return hasState() ? getState(type) : defaultValue;
    }

    /**
     * Replaces the state; it is serialized at once. Setting null deletes the state.
     *
     * @throws DataConverter.DataConverterException if the value cannot be serialized
     */
    void setState(Object state);

    /** Deletes the state: afterwards the entity does not exist (until an operation sets state again). */
    void deleteState();
}
