package io.github.durablefunctions;

import java.lang.reflect.Type;

/**
 * Converts orchestration inputs and outputs, activity inputs and results, event payloads and entity state to and
 * from their stored JSON text. One converter serves orchestrators, activities, entities and clients, so a value
 * written by one side is always read back the same way by the other.
 */
public interface DataConverter {
    /**
     * Serializes a value to JSON text.
     *
     * @return the JSON text, or null when {@code value} is null
     * @throws DataConverterException if the value cannot be serialized
     */
    String serialize(Object value);

    /**
     * Deserializes JSON text into the given class.
     *
     * @return the value, or null when {@code data} is null or empty, or the target is {@code Void}
     * @throws DataConverterException if the text is not valid JSON for the target type
     */
    <T> T deserialize(String data, Class<T> target);

    /**
     * Deserializes JSON text into a possibly generic type, e.g. {@code List<Order>} taken from a method parameter.
     *
     * @return the value, or null when {@code data} is null or empty, or the target is {@code Void}
     * @throws DataConverterException if the text is not valid JSON for the target type
     */
    Object deserialize(String data, Type target);

    /** Thrown when a value cannot be converted; the message names the target type and the cause. */
    class DataConverterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DataConverterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
