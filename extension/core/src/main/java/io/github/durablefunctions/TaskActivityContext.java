package io.github.durablefunctions;

import java.lang.reflect.Type;

/** What an activity sees of its invocation: its name, its instance and its input. */
public interface TaskActivityContext {
    /** The activity's name, as the orchestration scheduled it. */
    String getName();

    /** The instance ID of the orchestration that scheduled the activity. */
    String getInstanceId();

    /** The task ID of this call within the orchestration (the {@code TaskScheduled} event ID). */
    int getTaskId();

    /**
     * The activity's input deserialized from JSON.
     *
     * @return the input, or null if the orchestration passed none
     * @throws DataConverter.DataConverterException if the JSON does not fit {@code targetType}
     */
    <T> T getInput(Class<T> targetType);

    /** The activity's input deserialized into a possibly generic type (e.g. a method parameter's type). */
    Object getInput(Type targetType);

    /** The activity's input as the JSON text that was stored, or null. */
    String getSerializedInput();
}
