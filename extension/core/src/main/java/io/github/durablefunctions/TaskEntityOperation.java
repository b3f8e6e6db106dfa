package io.github.durablefunctions;

import java.lang.reflect.Type;

/** One operation on an entity: its name, its input, the entity's state and context. */
public interface TaskEntityOperation {
    /** The operation name as the caller gave it (compare it ignoring case). */
    String getName();

    /** True if the caller gave an input. */
    boolean hasInput();

    /**
     * The input, deserialized by the data converter.
     *
     * @return the input, or null if there is none
     * @throws DataConverter.DataConverterException if the input does not fit {@code type}
     */
    <T> T getInput(Class<T> type);

    /** {@link #getInput(Class)} for a possibly generic type, e.g. a method parameter's. */
    Object getInput(Type type);

    /** The entity's state. */
    TaskEntityState getState();

    /** The entity's ID and what it can do besides changing its state. */
    TaskEntityContext getContext();
}
