package io.github.durablefunctions.host.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.util.Map;

/** Writes JSON bodies and the host's JSON error bodies ({@code {"error": "<message>"}}). */
public final class JsonResponses {
    /** The content type of JSON responses. */
    public static final String JSON = "application/json; charset=utf-8";

    private JsonResponses() {
    }

    /**
     * Writes {@code body} as JSON with the status.
     *
     * @throws IllegalStateException if {@code body} cannot be serialized (a bug of the host)
     */
    public static void json(Context ctx, int status, Object body, ObjectMapper mapper) {
        try {
            byte[] bytes = mapper.writeValueAsBytes(body);
            ctx.status(status);
            ctx.contentType(JSON);
            ctx.result(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize a response body of type " + body.getClass().getName(),
                    e);
        }
    }

    /** Writes the error body {@code {"error": message}} with the status. */
    public static void error(Context ctx, int status, String message, ObjectMapper mapper) {
        json(ctx, status, Map.of("error", message), mapper);
    }
}
