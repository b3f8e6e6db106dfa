package io.github.durablefunctions.host.durabletask;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.host.http.JsonResponses;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;

/**
 * The Durable Functions HTTP management API under {@value #BASE_PATH} (api-and-http.md §3). Implemented so far:
 * <ul>
 *   <li>{@code GET /instances/{instanceId}} ({@link #getInstanceStatus}).</li>
 * </ul>
 * Each endpoint is one method registered in {@link #register}; all go through {@link #endpoint}, which maps
 * {@link IllegalArgumentException} (bad query values, invalid instance IDs) to 400 and any other failure to 500 with
 * a JSON {@code {"error": ...}} body, as the extension does. The {@code taskHub}, {@code connection} and {@code code}
 * query parameters are accepted and ignored: the host serves one task hub and has no keys.
 */
public final class DurableTaskHttpApi {
    /** Where the API lives, relative to the host's root URL. */
    public static final String BASE_PATH = "/runtime/webhooks/durabletask";
    /** The {@code Retry-After} of 202 status responses, in seconds (as the extension sends). */
    static final String STATUS_RETRY_AFTER_SECONDS = "5";

    private static final Logger log = LoggerFactory.getLogger(DurableTaskHttpApi.class);

    private final DurableTaskClient client;
    private final ObjectMapper json;

    /**
     * @param client the client of the app's task hub
     * @param json   parses stored payloads and writes responses
     */
    public DurableTaskHttpApi(DurableTaskClient client, ObjectMapper json) {
        this.client = client;
        this.json = json;
    }

    /** Registers the endpoints on the server. */
    public void register(Javalin app) {
        app.get(BASE_PATH + "/instances/{instanceId}", endpoint(this::getInstanceStatus));
    }

    /**
     * {@code GET /instances/{instanceId}?showInput=true|false&returnInternalServerErrorOnFailure=true|false}: the
     * {@link StatusResponsePayload}. 202 with {@code Location} (the request URL) and {@code Retry-After: 5} while
     * Running, Pending, ContinuedAsNew or Suspended; 200 when Completed, Terminated, Canceled or Failed (500 for Failed
     * if {@code returnInternalServerErrorOnFailure=true}); 404 for an unknown instance. {@code showHistory} is not
     * supported yet and ignored.
     */
    void getInstanceStatus(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        boolean showInput = flag(ctx, "showInput", true);
        boolean failureIs500 = flag(ctx, "returnInternalServerErrorOnFailure", false);
        OrchestrationMetadata metadata = client.getInstanceMetadata(instanceId, true);
        if (metadata == null) {
            JsonResponses.json(ctx, 404, Map.of("message", "No instance with ID '" + instanceId + "' was found."),
                    json);
            return;
        }
        StatusResponsePayload payload = StatusResponsePayload.of(metadata, showInput, json);
        OrchestrationRuntimeStatus status = metadata.getRuntimeStatus();
        int code;
        switch (status) {
            case RUNNING, PENDING, CONTINUED_AS_NEW, SUSPENDED -> {
                code = 202;
                ctx.header("Location", ctx.fullUrl());
                ctx.header("Retry-After", STATUS_RETRY_AFTER_SECONDS);
            }
            case FAILED -> code = failureIs500 ? 500 : 200;
            default -> code = 200;
        }
        JsonResponses.json(ctx, code, payload, json);
    }

    /** Wraps an endpoint: 400 for {@link IllegalArgumentException}, 500 for anything else (logged). */
    private Handler endpoint(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (IllegalArgumentException e) {
                JsonResponses.error(ctx, 400, e.getMessage(), json);
            } catch (Exception e) {
                log.error("Durable task API: {} {} failed", ctx.method(), ctx.path(), e);
                JsonResponses.error(ctx, 500, "Something went wrong while processing your request: " + e, json);
            }
        };
    }

    /**
     * A boolean query parameter.
     *
     * @param name the parameter name, matched ignoring case (as ASP.NET does)
     * @throws IllegalArgumentException if present but not {@code true} or {@code false} (ignoring case)
     */
    static boolean flag(Context ctx, String name, boolean defaultValue) {
        String value = ctx.queryParamMap().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst().orElse(null);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("Query parameter '" + name + "' must be true or false, was '"
                    + value + "'");
        };
    }
}
