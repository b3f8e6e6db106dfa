package io.github.durablefunctions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.lang.reflect.Type;

/**
 * The default {@link DataConverter}: Jackson, with {@code java.time} support (ISO-8601 strings, not timestamps),
 * unknown properties ignored on read, and any Jackson modules found on the class path registered.
 */
public final class JacksonDataConverter implements DataConverter {
    private final ObjectMapper mapper;

    /** A converter with the default mapper described above. */
    public JacksonDataConverter() {
        this(JsonMapper.builder()
                .findAndAddModules()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build());
    }

    /** A converter over the caller's own mapper, for custom modules and naming strategies. */
    public JacksonDataConverter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String serialize(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new DataConverterException(
                    "Failed to serialize a value of type " + value.getClass().getName() + " to JSON: "
                            + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T deserialize(String data, Class<T> target) {
        return target.cast(deserialize(data, (Type) target));
    }

    @Override
    public Object deserialize(String data, Type target) {
        if (data == null || data.isEmpty() || target == Void.class || target == void.class) {
            return null;
        }
        JavaType type = mapper.getTypeFactory().constructType(target);
        try {
            return mapper.readValue(data, type);
        } catch (JsonProcessingException e) {
            throw new DataConverterException(
                    "Failed to deserialize JSON into " + type.toCanonical() + ": " + e.getOriginalMessage()
                            + " (data: " + abbreviate(data) + ")", e);
        }
    }

    private static String abbreviate(String data) {
        return data.length() <= 200 ? data : data.substring(0, 200) + "...";
    }
}
