package io.github.durablefunctions.azurestorage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.history.DistributedTraceContext;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.ParentInstance;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writing and reading the DTFx objects that appear inside events, as Newtonsoft.Json shapes them
 * (storage-layout.md §3.3, §6.2). With {@code withTypes} each object starts with its {@code $type} (queue JSON,
 * {@code TypeNameHandling.Objects}); without, it is plain (History/Instances table columns). Readers ignore
 * {@code $type} and accept both.
 */
final class DtfxJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonFactory FACTORY = MAPPER.getFactory();

    static final String TYPE = "$type";
    static final String ORCHESTRATION_INSTANCE_TYPE = "DurableTask.Core.OrchestrationInstance";
    static final String PARENT_INSTANCE_TYPE = "DurableTask.Core.ParentInstance";
    static final String FAILURE_DETAILS_TYPE = "DurableTask.Core.FailureDetails";
    static final String TRACE_CONTEXT_TYPE = "DurableTask.Core.Tracing.DistributedTraceContext";
    /** {@code Dictionary<string,string>} on .NET Core / .NET 5+, "Simple" assembly format. */
    static final String STRING_DICTIONARY_TYPE = "System.Collections.Generic.Dictionary`2[[System.String, "
            + "System.Private.CoreLib],[System.String, System.Private.CoreLib]]";
    /** {@code Dictionary<string,object>} (FailureDetails.Properties). */
    static final String OBJECT_DICTIONARY_TYPE = "System.Collections.Generic.Dictionary`2[[System.String, "
            + "System.Private.CoreLib],[System.Object, System.Private.CoreLib]]";

    private DtfxJson() {
    }

    /** Compact JSON text produced by {@code writer}. */
    static String write(JsonWriter writer) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes JSON into a generator. */
    @FunctionalInterface
    interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    /** Parses JSON text into a tree. */
    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The type name of a {@code $type} value without any {@code , Assembly} suffix: the part before the first comma
     * that is outside square brackets.
     */
    static String stripAssembly(String typeName) {
        int depth = 0;
        for (int i = 0; i < typeName.length(); i++) {
            char c = typeName.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return typeName.substring(0, i).trim();
            }
        }
        return typeName.trim();
    }

    // ------------------------------------------------------------------------------------------------ writers

    static void writeInstance(JsonGenerator g, OrchestrationInstance instance, boolean withTypes)
            throws IOException {
        if (instance == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (withTypes) {
            g.writeStringField(TYPE, ORCHESTRATION_INSTANCE_TYPE);
        }
        g.writeStringField("InstanceId", instance.instanceId());
        g.writeStringField("ExecutionId", instance.executionId());
        g.writeEndObject();
    }

    static void writeParent(JsonGenerator g, ParentInstance parent, boolean withTypes) throws IOException {
        if (parent == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (withTypes) {
            g.writeStringField(TYPE, PARENT_INSTANCE_TYPE);
        }
        g.writeStringField("Name", parent.name());
        g.writeFieldName("OrchestrationInstance");
        writeInstance(g, parent.orchestrationInstance(), withTypes);
        g.writeNumberField("TaskScheduleId", parent.taskScheduleId());
        g.writeStringField("Version", parent.version());
        g.writeEndObject();
    }

    static void writeFailure(JsonGenerator g, FailureDetails failure, boolean withTypes) throws IOException {
        if (failure == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (withTypes) {
            g.writeStringField(TYPE, FAILURE_DETAILS_TYPE);
        }
        g.writeStringField("ErrorType", failure.getErrorType());
        g.writeStringField("ErrorMessage", failure.getErrorMessage());
        g.writeStringField("StackTrace", failure.getStackTrace());
        g.writeFieldName("InnerFailure");
        writeFailure(g, failure.getInnerFailure(), withTypes);
        g.writeBooleanField("IsNonRetriable", failure.isNonRetriable());
        g.writeFieldName("Properties");
        Map<String, Object> properties = failure.getProperties();
        if (properties == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            if (withTypes) {
                g.writeStringField(TYPE, OBJECT_DICTIONARY_TYPE);
            }
            for (Map.Entry<String, Object> e : properties.entrySet()) {
                g.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (v instanceof Instant instant) {
                    g.writeString(DotNetDateTime.format(instant));
                } else {
                    MAPPER.writeValue(g, v);
                }
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    static void writeTrace(JsonGenerator g, DistributedTraceContext trace, boolean withTypes) throws IOException {
        if (trace == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (withTypes) {
            g.writeStringField(TYPE, TRACE_CONTEXT_TYPE);
        }
        g.writeStringField("TraceParent", trace.traceParent());
        g.writeStringField("TraceState", trace.traceState());
        g.writeStringField("Id", trace.id());
        g.writeStringField("SpanId", trace.spanId());
        g.writeFieldName("ActivityStartTime");
        if (trace.activityStartTime() == null) {
            g.writeNull();
        } else {
            g.writeString(DotNetDateTime.formatOffset(trace.activityStartTime()));
        }
        g.writeEndObject();
    }

    static void writeTags(JsonGenerator g, Map<String, String> tags, boolean withTypes) throws IOException {
        if (tags == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (withTypes) {
            g.writeStringField(TYPE, STRING_DICTIONARY_TYPE);
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------------------------------------ readers

    static boolean isNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (isNull(v)) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    static OrchestrationInstance readInstance(JsonNode node) {
        if (isNull(node)) {
            return null;
        }
        requireObject(node, "OrchestrationInstance");
        return new OrchestrationInstance(text(node, "InstanceId"), text(node, "ExecutionId"));
    }

    static ParentInstance readParent(JsonNode node) {
        if (isNull(node)) {
            return null;
        }
        requireObject(node, "ParentInstance");
        JsonNode id = node.get("TaskScheduleId");
        return new ParentInstance(text(node, "Name"), text(node, "Version"),
                readInstance(node.get("OrchestrationInstance")), isNull(id) ? -1 : id.asInt());
    }

    static FailureDetails readFailure(JsonNode node) {
        if (isNull(node)) {
            return null;
        }
        requireObject(node, "FailureDetails");
        String errorType = text(node, "ErrorType");
        Map<String, Object> properties = null;
        JsonNode props = node.get("Properties");
        if (!isNull(props) && props.isObject()) {
            properties = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                if (!e.getKey().equals(TYPE)) {
                    properties.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
                }
            }
        }
        JsonNode nonRetriable = node.get("IsNonRetriable");
        return new FailureDetails(errorType == null ? "" : errorType, text(node, "ErrorMessage"),
                text(node, "StackTrace"), readFailure(node.get("InnerFailure")),
                !isNull(nonRetriable) && nonRetriable.asBoolean(), properties);
    }

    static DistributedTraceContext readTrace(JsonNode node) {
        if (isNull(node)) {
            return null;
        }
        requireObject(node, "DistributedTraceContext");
        String start = text(node, "ActivityStartTime");
        return new DistributedTraceContext(text(node, "TraceParent"), text(node, "TraceState"), text(node, "Id"),
                text(node, "SpanId"), start == null ? null : DotNetDateTime.parse(start));
    }

    static Map<String, String> readTags(JsonNode node) {
        if (isNull(node)) {
            return null;
        }
        requireObject(node, "Tags");
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getKey().equals(TYPE)) {
                tags.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
            }
        }
        return tags;
    }

    private static void requireObject(JsonNode node, String what) {
        if (node.getNodeType() != JsonNodeType.OBJECT) {
            throw new IllegalArgumentException(what + " must be a JSON object, was " + node.getNodeType());
        }
    }
}
