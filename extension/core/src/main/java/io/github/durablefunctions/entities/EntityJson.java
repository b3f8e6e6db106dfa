package io.github.durablefunctions.entities;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.FailureDetails;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The Jackson mapper and date-time handling of entity JSON (Newtonsoft defaults as DTFx writes them,
 * storage-layout.md §9): unknown members ignored on read; {@code DateTime} values as ISO-8601 UTC with
 * trailing-zero-trimmed fractions of up to 7 digits ({@code 2026-11-21T10:00:00.1234567Z}); read leniently (any
 * offset, or none meaning UTC).
 */
public final class EntityJson {
    /** The mapper for entity protocol types. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    /** .NET's {@code DateTime.MinValue}, the default DTFx writes for an unset date-time. */
    static final Instant DOTNET_MIN_VALUE = Instant.parse("0001-01-01T00:00:00Z");

    private EntityJson() {
    }

    /** Serializes a protocol object. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + value.getClass().getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Deserializes a protocol object.
     *
     * @throws IllegalArgumentException if the JSON is not valid for the type, with the type and the cause
     */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a valid entity " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Newtonsoft's default {@code DateTime} text for a UTC time: fraction trimmed of trailing zeros, then {@code Z}. */
    public static String formatDateTime(Instant time) {
        Instant t = toTicks(time);
        LocalDateTime utc = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        String fraction = String.format("%07d", t.getNano() / 100).replaceAll("0+$", "");
        return SECONDS.format(utc) + (fraction.isEmpty() ? "" : "." + fraction) + "Z";
    }

    /** .NET's round-trip {@code "o"} format for a UTC time: always 7 fractional digits, then {@code Z}. */
    public static String formatRoundTrip(Instant time) {
        LocalDateTime utc = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
        return SECONDS.format(utc) + "." + String.format("%07d", time.getNano() / 100) + "Z";
    }

    /** A {@code DateTimeOffset} in UTC as Newtonsoft writes it: {@code 2026-11-21T10:00:00.123+00:00}. */
    public static String formatDateTimeOffset(Instant time) {
        String s = formatDateTime(time);
        return s.substring(0, s.length() - 1) + "+00:00";
    }

    /**
     * Parses an ISO-8601 date-time with an offset, {@code Z}, or none (read as UTC).
     *
     * @throws DateTimeParseException if it is not one
     */
    public static Instant parseDateTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        }
    }

    /** The same instant at .NET tick precision (100 ns), as it reads back after a round trip. */
    public static Instant toTicks(Instant time) {
        return Instant.ofEpochSecond(time.getEpochSecond(), time.getNano() / 100 * 100);
    }

    /**
     * {@code FailureDetails} as DTFx writes it inside entity messages (Newtonsoft, PascalCase members):
     * {@code ErrorType}, {@code ErrorMessage}, {@code StackTrace}, {@code InnerFailure}, {@code IsNonRetriable}.
     */
    public static JsonNode failureDetailsToJson(FailureDetails details) {
        if (details == null) {
            return null;
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("ErrorType", details.getErrorType());
        node.put("ErrorMessage", details.getErrorMessage());
        node.put("StackTrace", details.getStackTrace());
        node.set("InnerFailure", failureDetailsToJson(details.getInnerFailure()));
        node.put("IsNonRetriable", details.isNonRetriable());
        return node;
    }

    /** Reads {@link #failureDetailsToJson} back (member names matched ignoring case); null for null or JSON null. */
    public static FailureDetails failureDetailsFromJson(JsonNode node) {
        if (node == null || node.isNull() || !node.isObject()) {
            return null;
        }
        String type = text(node, "ErrorType");
        return new FailureDetails(type == null ? "Unknown" : type, text(node, "ErrorMessage"),
                text(node, "StackTrace"), failureDetailsFromJson(field(node, "InnerFailure")),
                field(node, "IsNonRetriable") != null && field(node, "IsNonRetriable").asBoolean(), null);
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode field(JsonNode node, String name) {
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Writes an {@link Instant} as a Newtonsoft {@code DateTime}. */
    public static final class DateTimeSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(formatDateTime(value));
        }
    }

    /** Writes an {@link Instant} as a Newtonsoft {@code DateTime} map key. */
    public static final class DateTimeKeySerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeFieldName(formatDateTime(value));
        }
    }

    /** Writes an {@link Instant} as a Newtonsoft {@code DateTimeOffset}. */
    public static final class DateTimeOffsetSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(formatDateTimeOffset(value));
        }
    }

    /**
     * Reads a date-time written by .NET into an {@link Instant}; .NET's {@code DateTime.MinValue}
     * ({@code 0001-01-01T00:00:00}), which DTFx writes for "none" (e.g. a request's {@code Predecessor}, a receive
     * buffer's {@code Last}), reads as null.
     */
    public static final class DateTimeDeserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            if (text == null || text.isEmpty()) {
                return null;
            }
            try {
                Instant time = parseDateTime(text);
                return time.equals(DOTNET_MIN_VALUE) ? null : time;
            } catch (DateTimeParseException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 date-time");
            }
        }
    }

    /** Reads a date-time map key written by .NET into an {@link Instant}. */
    public static final class DateTimeKeyDeserializer extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            try {
                return parseDateTime(key);
            } catch (DateTimeParseException e) {
                return ctxt.handleWeirdKey(Instant.class, key, "not an ISO-8601 date-time");
            }
        }
    }
}
