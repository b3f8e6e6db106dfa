package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.DistributedTraceContext;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.ParentInstance;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Locale;
import java.util.Map;

/**
 * History table rows ({@code {H}History}) for history events, as DTFx's {@code TableEntityConverter} writes them
 * (storage-layout.md §3.1, §3.3): {@code PartitionKey} = escaped instance ID, {@code RowKey} = 16 uppercase hex digits
 * of the event's position in the execution; {@code ExecutionId}, {@code EventType} (enum name), {@code EventId},
 * {@code IsPlayed} and {@code _Timestamp} on every row; then the type's members: strings, ints, bools and DateTimes
 * natively (null strings left out), enums as names, complex members as Newtonsoft-style JSON strings without
 * {@code $type}, or the literal {@code "null"}.
 */
final class HistoryEntityCodec {
    /** The RowKey of the sentinel row (§3.1). */
    static final String SENTINEL_ROW_KEY = "sentinel";
    /** The literal a null complex member is stored as (§3.3). */
    static final String NULL_LITERAL = "null";

    private HistoryEntityCodec() {
    }

    /** {@code 0000000000000000}-style RowKey: the position as 16 uppercase hex digits (.NET {@code X16}). */
    static String rowKey(long position) {
        return String.format(Locale.ROOT, "%016X", position);
    }

    /** A UTC {@code Edm.DateTime} value, truncated to 100 ns ticks. */
    static OffsetDateTime dateTime(Instant instant) {
        return OffsetDateTime.ofInstant(DotNetDateTime.toTicks(instant), ZoneOffset.UTC);
    }

    /**
     * The row of one event.
     *
     * @param instanceId  the instance ID (escaped here into the PartitionKey)
     * @param position    the event's 0-based position in the execution's history
     * @param executionId the execution the event belongs to
     */
    static TableEntity toEntity(String instanceId, long position, String executionId, HistoryEvent event) {
        TableEntity entity = new TableEntity(KeySanitation.escapePartitionKey(instanceId), rowKey(position));
        entity.addProperty("ExecutionId", executionId);
        entity.addProperty("EventType", event.eventType().name());
        entity.addProperty("EventId", event.eventId());
        entity.addProperty("IsPlayed", event.isPlayed());
        entity.addProperty("_Timestamp", dateTime(event.timestamp()));
        for (EventFields.Field field : EventFields.of(event)) {
            Object value = columnValue(field);
            if (value != null) {
                entity.addProperty(field.name(), value);
            }
        }
        return entity;
    }

    private static Object columnValue(EventFields.Field field) {
        Object v = field.value();
        return switch (field.kind()) {
            case STRING, JSON -> v;
            case INT, NULLABLE_INT -> v;
            case BOOL -> Boolean.TRUE.equals(v);
            case DATETIME, NULLABLE_DATETIME -> v == null ? null : dateTime((Instant) v);
            case STATUS -> v == null ? null : ((OrchestrationRuntimeStatus) v).statusName();
            case INSTANCE -> DtfxJson.write(g -> DtfxJson.writeInstance(g, (OrchestrationInstance) v, false));
            case PARENT -> DtfxJson.write(g -> DtfxJson.writeParent(g, (ParentInstance) v, false));
            case FAILURE -> DtfxJson.write(g -> DtfxJson.writeFailure(g, (FailureDetails) v, false));
            case TRACE -> DtfxJson.write(g -> DtfxJson.writeTrace(g, (DistributedTraceContext) v, false));
            case TAGS -> {
                @SuppressWarnings("unchecked")
                Map<String, String> tags = (Map<String, String>) v;
                yield DtfxJson.write(g -> DtfxJson.writeTags(g, tags, false));
            }
        };
    }

    /**
     * The event of a row.
     *
     * @throws IllegalArgumentException if the row has no string {@code EventType}, an unknown one, or a member that
     *                                  cannot be read; the message names the row
     */
    static HistoryEvent fromEntity(TableEntity entity) {
        return fromProperties(entity.getProperties(), entity.getPartitionKey() + "/" + entity.getRowKey());
    }

    /** The event of a row's properties ({@code where} names the row in errors). */
    static HistoryEvent fromProperties(Map<String, Object> properties, String where) {
        Object typeValue = properties.get("EventType");
        if (!(typeValue instanceof String typeName)) {
            throw new IllegalArgumentException("History row " + where + " has no string EventType column");
        }
        EventType type;
        try {
            type = EventType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("History row " + where + " has an unknown EventType '" + typeName
                    + "'", e);
        }
        RowSource source = new RowSource(properties);
        try {
            Integer eventId = source.integer("EventId");
            Instant timestamp = source.dateTime("_Timestamp");
            return EventFields.build(type, eventId == null ? -1 : eventId, source.bool("IsPlayed"),
                    timestamp == null ? Instant.EPOCH : timestamp, source);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("History row " + where + " (" + typeName + ") cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /** Event members read from table columns. */
    private record RowSource(Map<String, Object> properties) implements EventFields.Source {
        private Object get(String name) {
            return properties.get(name);
        }

        @Override
        public String string(String name) {
            Object v = get(name);
            return v == null ? null : v.toString();
        }

        @Override
        public Integer integer(String name) {
            Object v = get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n) {
                return n.intValue();
            }
            return Integer.parseInt(v.toString());
        }

        @Override
        public boolean bool(String name) {
            Object v = get(name);
            return v instanceof Boolean b ? b : v != null && Boolean.parseBoolean(v.toString());
        }

        @Override
        public Instant dateTime(String name) {
            Object v = get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof OffsetDateTime odt) {
                return odt.toInstant();
            }
            if (v instanceof Date date) {
                return date.toInstant();
            }
            return DotNetDateTime.parse(v.toString());
        }

        @Override
        public OrchestrationRuntimeStatus status(String name) {
            Object v = get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n) {
                return OrchestrationRuntimeStatus.fromWireValue(n.intValue());
            }
            return OrchestrationRuntimeStatus.fromStatusName(v.toString());
        }

        private com.fasterxml.jackson.databind.JsonNode parseJson(Object v) {
            if (v == null) {
                return null;
            }
            String text = v.toString();
            if (text.isEmpty() || text.equals(NULL_LITERAL)) {
                return null;
            }
            return DtfxJson.parse(text);
        }

        @Override
        public OrchestrationInstance instance(String name) {
            return DtfxJson.readInstance(parseJson(get(name)));
        }

        @Override
        public ParentInstance parent(String name) {
            return DtfxJson.readParent(parseJson(get(name)));
        }

        @Override
        public FailureDetails failure(String name) {
            return DtfxJson.readFailure(parseJson(get(name)));
        }

        @Override
        public DistributedTraceContext trace(String name) {
            return DtfxJson.readTrace(parseJson(get(name)));
        }

        @Override
        public Map<String, String> tags(String name) {
            return DtfxJson.readTags(parseJson(get(name)));
        }

        @Override
        public String json(String name) {
            Object v = get(name);
            return v == null || NULL_LITERAL.equals(v) ? null : v.toString();
        }
    }
}
