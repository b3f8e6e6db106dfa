package io.github.durablefunctions.worker;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.TaskActivityContext;

import java.lang.reflect.Type;

/** The {@link TaskActivityContext} of one activity invocation. */
record ActivityContext(String name, String instanceId, int taskId, String serializedInput,
                       DataConverter dataConverter) implements TaskActivityContext {
    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public int getTaskId() {
        return taskId;
    }

    @Override
    public <T> T getInput(Class<T> targetType) {
        return dataConverter.deserialize(serializedInput, targetType);
    }

    @Override
    public Object getInput(Type targetType) {
        return dataConverter.deserialize(serializedInput, targetType);
    }

    @Override
    public String getSerializedInput() {
        return serializedInput;
    }
}
