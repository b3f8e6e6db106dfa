package io.github.durablefunctions.host.durabletask;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.EntityQueryResult;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.PurgeInstanceCriteria;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.StatusResponsePayload;
import io.github.durablefunctions.entities.EntityJson;
import io.github.durablefunctions.host.http.HttpFunctionHandler;
import io.github.durablefunctions.host.http.JsonResponses;
import io.github.durablefunctions.host.http.RequestBodies;
import io.github.durablefunctions.host.invoke.HttpRequestMessageImpl;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The Durable Functions HTTP management API under {@value #BASE_PATH} (api-and-http.md §3). Each endpoint is one
 * method, registered in {@link #register}; where the reference's doc and code columns differ, this follows the code.
 *
 * <p><b>Common query parameters</b> (§3.1), names matched ignoring case:
 * <ul>
 *   <li>{@code taskHub}: the task hub to act on, default the app's; {@code connection}: the name of the app setting
 *       holding its storage connection string, default the app's ({@code Storage} and {@code AzureWebJobsStorage}
 *       both mean the app's). Another hub or connection gets a client of its own ({@link TaskHubClients}). An
 *       invalid hub name or a connection that names no app setting is 400.</li>
 *   <li>{@code code}: accepted and not checked: like {@code func start}, this local host has no keys. It is carried
 *       into the management URLs the API returns.</li>
 * </ul>
 *
 * <p><b>Entities</b> (§3.3 "Signal entity", "Delete entity", "Get entity", "List entities"; storage-layout.md §9)
 * live under {@code /entities/{entityName}/{entityKey}}: the name is matched ignoring case (entity names are lower
 * case), the key as given (URL-encoded in the path if it holds reserved characters). The extension's empty key
 * {@code $} is refused with 400: entity keys cannot be empty here ({@link EntityInstanceId}).
 *
 * <p><b>Responses.</b> Successful bodies are described per endpoint. Errors are JSON: 404 (unknown instance or
 * entity, or no endpoint at that path) is {@code {"message": "..."}}; every other error is {@code {"error": "..."}}:
 * 400 for bad
 * input (malformed JSON, query values, instance IDs; {@link IllegalArgumentException}), 409 when an instance ID is
 * taken by a Pending, Running or Suspended instance, 410 for an operation on a finished instance, 413 for a body over
 * the host's limit ({@code --max-request-body-size}), 501 for what the backend does not support yet, 500 for anything
 * else (logged). Bad input is refused before anything is changed.
 *
 * <p><b>The check-status payload</b> (§3.2) that the start and restart endpoints return is made by
 * {@link DurableClientContext#createCheckStatusResponse}, exactly what an HTTP starter function returns: 202,
 * {@code Location} = {@code statusQueryGetUri}, {@code Retry-After: 10}, and the body {@code {"id", "statusQueryGetUri",
 * "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri", "restartPostUri", "suspendPostUri",
 * "resumePostUri", "rewindPostUri"}}, URLs carrying {@code taskHub}, {@code connection} and {@code code}.
 */
public final class DurableTaskHttpApi {
    /** Where the API lives, relative to the host's root URL. */
    public static final String BASE_PATH = "/runtime/webhooks/durabletask";
    /** The {@code Retry-After} of 202 responses to accepted operations, in seconds (as the check-status response). */
    static final String CHECK_STATUS_RETRY_AFTER_SECONDS = "10";
    /** The {@code Retry-After} of 202 status responses, in seconds (as the extension sends). */
    static final String STATUS_RETRY_AFTER_SECONDS = "5";
    /** The request and response header that carries a query's continuation token. */
    static final String CONTINUATION_HEADER = "x-ms-continuation-token";

    private static final Logger log = LoggerFactory.getLogger(DurableTaskHttpApi.class);
    /** Statuses an instance never leaves: events and lifecycle operations on them are 410 Gone. */
    private static final Set<OrchestrationRuntimeStatus> FINISHED = EnumSet.of(OrchestrationRuntimeStatus.COMPLETED,
            OrchestrationRuntimeStatus.FAILED, OrchestrationRuntimeStatus.TERMINATED,
            OrchestrationRuntimeStatus.CANCELED);
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.DELETE, HandlerType.OPTIONS, HandlerType.PATCH);

    private final TaskHubClients hubs;
    private final Map<String, String> orchestrators = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Set<String> entities = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final DataConverter dataConverter;
    private final ObjectMapper json;
    private final long maxBodySize;

    /**
     * @param hubs          the clients for the {@code taskHub} and {@code connection} parameters
     * @param orchestrators the names of the app's orchestrator functions (the start endpoint accepts only these)
     * @param entities      the names of the app's entities (signals to the app's own task hub accept only these)
     * @param dataConverter serializes inputs and event payloads, as the rest of the host does
     * @param json          parses request bodies and stored payloads, writes responses
     * @param maxBodySize   the request body limit in bytes
     */
    public DurableTaskHttpApi(TaskHubClients hubs, Collection<String> orchestrators, Collection<String> entities,
                              DataConverter dataConverter, ObjectMapper json, long maxBodySize) {
        this.hubs = hubs;
        orchestrators.forEach(name -> this.orchestrators.put(name, name));
        this.entities.addAll(entities);
        this.dataConverter = dataConverter;
        this.json = json;
        this.maxBodySize = maxBodySize;
    }

    /** Registers the endpoints on the server, and a JSON 404 for any other path under {@value #BASE_PATH}. */
    public void register(Javalin app) {
        app.post(BASE_PATH + "/orchestrators/{functionName}", endpoint(this::startOrchestration));
        app.post(BASE_PATH + "/orchestrators/{functionName}/{instanceId}", endpoint(this::startOrchestration));
        app.get(BASE_PATH + "/instances", endpoint(this::queryInstances));
        app.delete(BASE_PATH + "/instances", endpoint(this::purgeInstances));
        app.get(BASE_PATH + "/instances/{instanceId}", endpoint(this::getInstanceStatus));
        app.delete(BASE_PATH + "/instances/{instanceId}", endpoint(this::purgeInstance));
        app.post(BASE_PATH + "/instances/{instanceId}/raiseEvent/{eventName}", endpoint(this::raiseEvent));
        app.post(BASE_PATH + "/instances/{instanceId}/terminate", endpoint(this::terminate));
        app.post(BASE_PATH + "/instances/{instanceId}/suspend", endpoint(this::suspend));
        app.post(BASE_PATH + "/instances/{instanceId}/resume", endpoint(this::resume));
        app.post(BASE_PATH + "/instances/{instanceId}/rewind", endpoint(this::rewind));
        app.post(BASE_PATH + "/instances/{instanceId}/restart", endpoint(this::restart));
        app.get(BASE_PATH + "/entities", endpoint(this::listEntities));
        app.get(BASE_PATH + "/entities/{entityName}", endpoint(this::listEntities));
        app.post(BASE_PATH + "/entities/{entityName}/{entityKey}", endpoint(this::signalEntity));
        app.delete(BASE_PATH + "/entities/{entityName}/{entityKey}", endpoint(this::deleteEntity));
        app.get(BASE_PATH + "/entities/{entityName}/{entityKey}", endpoint(this::getEntity));
        for (HandlerType method : METHODS) {
            app.addHttpHandler(method, BASE_PATH, this::notFound);
            app.addHttpHandler(method, BASE_PATH + "/*", this::notFound);
        }
    }

    // ------------------------------------------------------------------------------------------------ start

    /**
     * {@code POST /orchestrators/{functionName}[/{instanceId}]} (§3.3 "Start orchestration"): starts the app's
     * orchestrator {@code functionName} (matched ignoring case) with the JSON body as input (no body: no input), under
     * {@code instanceId} or a new random ID.
     * <ul>
     *   <li><b>202</b> with the check-status payload (see the class comment);</li>
     *   <li>with {@code timeout} and {@code pollingInterval} (both in seconds, both needed) the call waits for the
     *       instance as {@link DurableClientContext#waitForCompletionOrCreateCheckStatusResponse} does: <b>200</b> with
     *       the output if Completed, <b>200</b> with the {@link StatusResponsePayload} if Failed, Terminated or
     *       Canceled (500 for Failed with {@code returnInternalServerErrorOnFailure=true}), else the 202 above;</li>
     *   <li><b>400</b> for a body that is not JSON, a name that is not an orchestrator function of the app, an
     *       instance ID that is blank, over 256 characters or starts with {@code @}, or a bad {@code timeout} /
     *       {@code pollingInterval} (not a non-negative number; polling interval 0 or over the timeout);</li>
     *   <li><b>409</b> if the ID belongs to a Pending, Running or Suspended instance. (The extension answers 500 here:
     *       its {@code StartNewAsync} throws InvalidOperationException. 409 Conflict says what happened.) A finished
     *       instance with that ID is replaced by the new one, as the extension's default
     *       {@code overridableExistingInstanceStates} does.</li>
     * </ul>
     * A trailing slash ({@code /orchestrators/Name/}) means no instance ID. Instance IDs may contain any character
     * when URL-encoded in the path ({@code %2F} for {@code /}, {@code %23} for {@code #}, ...).
     */
    void startOrchestration(Context ctx) {
        String requested = ctx.pathParam("functionName");
        String name = orchestrators.get(requested);
        if (name == null) {
            throw new IllegalArgumentException("The function '" + requested + "' doesn't exist or is not an"
                    + " orchestrator function of this app" + (orchestrators.isEmpty() ? " (it has none)"
                    : "; its orchestrators are: " + String.join(", ", orchestrators.values())));
        }
        String instanceId = ctx.pathParamMap().get("instanceId");
        if (instanceId != null && instanceId.isBlank()) {
            throw new IllegalArgumentException("The instance ID must not be blank");
        }
        byte[] body = RequestBodies.read(ctx, maxBodySize);
        JsonNode input = body.length == 0 ? null : parseJson(body);
        WaitOptions wait = WaitOptions.of(ctx);
        TaskHubClients.Target target = target(ctx);
        String id = target.client().scheduleNewOrchestrationInstance(name,
                new NewOrchestrationInstanceOptions().setInput(input).setInstanceId(instanceId));
        log.info("Durable task API: started orchestration '{}' with ID '{}'", name, id);
        respondStarted(ctx, target, id, wait, body);
    }

    // ------------------------------------------------------------------------------------------------ status

    /**
     * {@code GET /instances/{instanceId}} (§3.3 "Get instance status"): the {@link StatusResponsePayload}.
     * Query: {@code showInput} (default true), {@code showHistory} (default false: adds {@code historyEvents}, see
     * {@link HistoryEventsJson}), {@code showHistoryOutput} (default false: payloads in the history),
     * {@code returnInternalServerErrorOnFailure} (default false).
     * <b>202</b> with {@code Location} (the request URL) and {@code Retry-After: 5} while Running, Pending,
     * ContinuedAsNew or Suspended; <b>200</b> when Completed, Terminated, Canceled or Failed (<b>500</b> for Failed
     * with {@code returnInternalServerErrorOnFailure=true}); <b>404</b> for an unknown instance; 400 for a flag that
     * is not true or false.
     */
    void getInstanceStatus(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        boolean showInput = flag(ctx, "showInput", true);
        boolean showHistory = flag(ctx, "showHistory", false);
        boolean showHistoryOutput = flag(ctx, "showHistoryOutput", false);
        boolean failureIs500 = flag(ctx, "returnInternalServerErrorOnFailure", false);
        DurableTaskClient client = target(ctx).client();
        OrchestrationMetadata metadata = client.getInstanceMetadata(instanceId, true);
        if (metadata == null) {
            instanceNotFound(ctx, instanceId);
            return;
        }
        StatusResponsePayload payload = StatusResponsePayload.of(metadata, showInput, json);
        if (showHistory) {
            payload = payload.withHistoryEvents(HistoryEventsJson.toJson(client.getOrchestrationHistory(instanceId),
                    showHistoryOutput, json));
        }
        int code;
        switch (metadata.getRuntimeStatus()) {
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

    /**
     * {@code GET /instances} (also {@code /instances/}; §3.3 "Query all instances"): one page of instances as a JSON
     * array of {@link StatusResponsePayload}, <b>200</b>. Query: {@code instanceIdPrefix}, {@code createdTimeFrom},
     * {@code createdTimeTo} (ISO-8601, e.g. {@code 2026-01-31T12:00:00Z}; without an offset UTC is assumed; a date
     * alone is its start), {@code runtimeStatus} (comma-separated status names such as {@code Running,Pending},
     * ignoring case), {@code showInput} (default false), {@code top} (page size, 1-1000, default 100). The request
     * header {@code x-ms-continuation-token} asks for the page after the one that returned it. The response header
     * {@code x-ms-continuation-token} is always set: the next page's token, or empty on the last page. A page may
     * hold fewer than {@code top} instances and still have a next one. <b>400</b> for a malformed time, an unknown
     * status, a bad {@code top} or a token this host did not issue.
     */
    void queryInstances(Context ctx) {
        OrchestrationStatusQuery query = new OrchestrationStatusQuery()
                .setInstanceIdPrefix(blankToNull(param(ctx, "instanceIdPrefix")))
                .setCreatedTimeFrom(time(ctx, "createdTimeFrom"))
                .setCreatedTimeTo(time(ctx, "createdTimeTo"))
                .setRuntimeStatusList(statuses(ctx))
                .setFetchInputsAndOutputs(true)
                .setContinuationToken(blankToNull(ctx.header(CONTINUATION_HEADER)));
        String top = param(ctx, "top");
        if (top != null && !top.isBlank()) {
            try {
                query.setMaxInstanceCount(Integer.parseInt(top.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Query parameter 'top' must be a whole number, was '" + top + "'");
            }
        }
        boolean showInput = flag(ctx, "showInput", false);
        OrchestrationStatusQueryResult page = target(ctx).client().queryInstances(query);
        List<StatusResponsePayload> payloads = new ArrayList<>();
        for (OrchestrationMetadata metadata : page.getOrchestrationState()) {
            payloads.add(StatusResponsePayload.of(metadata, showInput, json));
        }
        ctx.header(CONTINUATION_HEADER, page.getContinuationToken() == null ? "" : page.getContinuationToken());
        JsonResponses.json(ctx, 200, payloads, json);
    }

    // ------------------------------------------------------------------------------------------------ purge

    /**
     * {@code DELETE /instances/{instanceId}} (§3.3 "Purge one instance"): deletes the instance's history and state,
     * whatever its status. <b>200</b> {@code {"instancesDeleted": 1}}; <b>404</b> if there is no such instance.
     */
    void purgeInstance(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        int deleted = target(ctx).client().purgeInstance(instanceId).getDeletedInstanceCount();
        if (deleted == 0) {
            instanceNotFound(ctx, instanceId);
            return;
        }
        JsonResponses.json(ctx, 200, Map.of("instancesDeleted", deleted), json);
    }

    /**
     * {@code DELETE /instances} (§3.3 "Purge many instances"): deletes the finished instances (Completed, Failed,
     * Terminated, Canceled) created in a time range. Query: {@code createdTimeFrom} (required), {@code createdTimeTo}
     * (default now), {@code runtimeStatus} (comma-separated; only finished statuses are ever purged).
     * <b>200</b> {@code {"instancesDeleted": n}}; <b>404</b> {@code {"instancesDeleted": 0, "message": ...}} when none
     * matched; <b>400</b> "Please provide value for 'createdTimeFrom' parameter." when it is missing, or for a
     * malformed time or an unknown status.
     */
    void purgeInstances(Context ctx) {
        Instant from = time(ctx, "createdTimeFrom");
        if (from == null) {
            throw new IllegalArgumentException("Please provide value for 'createdTimeFrom' parameter.");
        }
        PurgeInstanceCriteria criteria = new PurgeInstanceCriteria()
                .setCreatedTimeFrom(from)
                .setCreatedTimeTo(time(ctx, "createdTimeTo"))
                .setRuntimeStatusList(statuses(ctx));
        int deleted = target(ctx).client().purgeInstances(criteria).getDeletedInstanceCount();
        if (deleted == 0) {
            JsonResponses.json(ctx, 404, Map.of("instancesDeleted", 0,
                    "message", "No finished instance matched the criteria; nothing was deleted."), json);
            return;
        }
        JsonResponses.json(ctx, 200, Map.of("instancesDeleted", deleted), json);
    }

    // ------------------------------------------------------------------------------------------------ events

    /**
     * {@code POST /instances/{instanceId}/raiseEvent/{eventName}} (§3.3 "Raise event"): sends the JSON body as the
     * event's payload (an empty body is a null payload). {@code Content-Type} must be {@code application/json}.
     * <b>202</b> with no body (and {@code Location}, {@code Retry-After}: see {@link #accepted}); <b>400</b> for another content type or a body that is not JSON; <b>404</b> for an
     * unknown instance; <b>410</b> if the instance is Completed, Failed, Terminated or Canceled.
     */
    void raiseEvent(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        String eventName = ctx.pathParam("eventName");
        String contentType = ctx.contentType();
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (!mediaType.equalsIgnoreCase("application/json")) {
            throw new IllegalArgumentException("The Content-Type of an event must be application/json, was "
                    + (contentType == null ? "none" : "'" + contentType + "'"));
        }
        byte[] body = RequestBodies.read(ctx, maxBodySize);
        JsonNode payload = body.length == 0 ? null : parseJson(body);
        operateOnUnfinished(ctx, instanceId, client -> client.raiseEvent(instanceId, eventName, payload));
    }

    /**
     * {@code POST /instances/{instanceId}/terminate?reason=} (§3.3 "Terminate"): the instance ends as Terminated
     * with the reason as its output (asynchronously, by its worker). <b>202</b>; <b>404</b> unknown; <b>410</b> if
     * already Completed, Failed, Terminated or Canceled.
     */
    void terminate(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        operateOnUnfinished(ctx, instanceId, client -> client.terminate(instanceId, param(ctx, "reason")));
    }

    /**
     * {@code POST /instances/{instanceId}/suspend?reason=} (§3.3 "Suspend"): the instance stops processing until
     * resumed; its status becomes Suspended. <b>202</b>; <b>404</b> unknown; <b>410</b> finished.
     */
    void suspend(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        operateOnUnfinished(ctx, instanceId, client -> client.suspendInstance(instanceId, param(ctx, "reason")));
    }

    /**
     * {@code POST /instances/{instanceId}/resume?reason=} (§3.3 "Resume"): a suspended instance continues.
     * <b>202</b>; <b>404</b> unknown; <b>410</b> finished.
     */
    void resume(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        operateOnUnfinished(ctx, instanceId, client -> client.resumeInstance(instanceId, param(ctx, "reason")));
    }

    /**
     * {@code POST /instances/{instanceId}/rewind?reason=} (§3.3 "Rewind"): a Failed instance runs its failed
     * activities and sub-orchestrations again and continues. <b>202</b>; <b>404</b> unknown; <b>410</b> if
     * Completed, Terminated or Canceled; <b>400</b> if Pending, Running, Suspended or ContinuedAsNew (only Failed
     * instances can be rewound; the extension fails later there, probably also with 400).
     */
    void rewind(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        TaskHubClients.Target target = target(ctx);
        DurableTaskClient client = target.client();
        OrchestrationMetadata metadata = client.getInstanceMetadata(instanceId, false);
        if (metadata == null) {
            instanceNotFound(ctx, instanceId);
            return;
        }
        OrchestrationRuntimeStatus status = metadata.getRuntimeStatus();
        if (status != OrchestrationRuntimeStatus.FAILED && FINISHED.contains(status)) {
            gone(ctx, instanceId, status);
            return;
        }
        if (status != OrchestrationRuntimeStatus.FAILED) {
            throw new IllegalArgumentException("The instance '" + instanceId + "' is " + status.statusName()
                    + "; only Failed instances can be rewound.");
        }
        try {
            client.rewindInstance(instanceId, param(ctx, "reason"));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        accepted(ctx, target, instanceId);
    }

    /**
     * {@code POST /instances/{instanceId}/restart?restartWithNewInstanceId=true|false} (§3.3 "Restart", code only):
     * starts the instance's orchestrator again with its original input, under a new random ID (the default) or the
     * same ID. <b>202</b> with the check-status payload of the restarted instance; with {@code timeout} and
     * {@code pollingInterval}, waits as the start endpoint does. <b>400</b> "InstanceId does not match a valid
     * orchestration instance." for an unknown instance (the extension's code; not 404); <b>409</b> when reusing the
     * ID of an instance that is still Pending, Running or Suspended.
     */
    void restart(Context ctx) {
        String instanceId = ctx.pathParam("instanceId");
        boolean newId = flag(ctx, "restartWithNewInstanceId", true);
        WaitOptions wait = WaitOptions.of(ctx);
        TaskHubClients.Target target = target(ctx);
        if (target.client().getInstanceMetadata(instanceId, false) == null) {
            throw new IllegalArgumentException("InstanceId does not match a valid orchestration instance.");
        }
        String restarted = target.client().restartInstance(instanceId, newId);
        log.info("Durable task API: restarted instance '{}' as '{}'", instanceId, restarted);
        respondStarted(ctx, target, restarted, wait, new byte[0]);
    }

    // ------------------------------------------------------------------------------------------------ entities

    /**
     * {@code POST /entities/{entityName}/{entityKey}?op=} (§3.3 "Signal entity"): signals the operation {@code op}
     * (default {@code ""}) to the entity, with the body as its input: no body, no input; a JSON body is the input as
     * JSON; a body that is not JSON is passed as a JSON string (as the extension does), unless its
     * {@code Content-Type} is {@code application/json}, which makes it a malformed JSON body: <b>400</b>.
     * <b>202</b> with no body; the entity runs the operation asynchronously (a failing operation fails alone, see
     * the host's log). <b>400</b> for a bad name or key ({@code $}, the extension's empty key, included);
     * <b>404</b> if the request targets the app's own task hub and the app defines no entity of that name.
     */
    void signalEntity(Context ctx) {
        EntityInstanceId id = entityId(ctx);
        String operation = param(ctx, "op");
        byte[] body = RequestBodies.read(ctx, maxBodySize);
        JsonNode input = body.length == 0 ? null : entityInput(ctx, body);
        TaskHubClients.Target target = target(ctx);
        if (isUnknownEntity(ctx, target, id)) {
            return;
        }
        target.client().getEntities().signalEntity(id, operation == null ? "" : operation, input);
        log.debug("Durable task API: signalled operation '{}' to entity '{}'", operation == null ? "" : operation, id);
        ctx.status(202);
    }

    /**
     * {@code DELETE /entities/{entityName}/{entityKey}} (§3.3 "Delete entity", code only): signals the operation
     * {@code delete} (which deletes the entity's state; the row stays until clean-up). <b>202</b>; <b>400</b> and
     * <b>404</b> as for signals.
     */
    void deleteEntity(Context ctx) {
        EntityInstanceId id = entityId(ctx);
        TaskHubClients.Target target = target(ctx);
        if (isUnknownEntity(ctx, target, id)) {
            return;
        }
        target.client().getEntities().signalEntity(id, "delete");
        log.debug("Durable task API: signalled 'delete' to entity '{}'", id);
        ctx.status(202);
    }

    /**
     * {@code GET /entities/{entityName}/{entityKey}} (§3.3 "Get entity"): <b>200</b> with the entity's state JSON as
     * the body; <b>404</b> {@code {"message": ...}} if the entity does not exist (no row, never had state, or deleted);
     * <b>400</b> for a bad name or key.
     */
    void getEntity(Context ctx) {
        EntityInstanceId id = entityId(ctx);
        EntityMetadata metadata = target(ctx).client().getEntities().getEntityMetadata(id, true);
        if (metadata == null || metadata.getSerializedState() == null) {
            JsonResponses.json(ctx, 404, Map.of("message", "No entity with ID '" + id + "' was found."), json);
            return;
        }
        ctx.status(200);
        ctx.contentType(JsonResponses.JSON);
        ctx.result(metadata.getSerializedState().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code GET /entities} and {@code GET /entities/{entityName}} (§3.3 "List entities"): one page of the entities
     * that exist (have state), all or those of one name, in ID order, as a JSON array of
     * {@code {"entityId": {"name": <lower case>, "key": ...}, "lastOperationTime": "2026-03-01T10:00:00.1234567Z",
     * "state": <the state JSON>}}, <b>200</b>. {@code lastOperationTime} is when the entity last ran operations (UTC,
     * up to 7 fractional digits); {@code state} is there only with {@code fetchState=true}. Query:
     * {@code lastOperationTimeFrom}, {@code lastOperationTimeTo} (ISO-8601, as {@code createdTimeFrom} of the
     * instance query), {@code fetchState} (default false), {@code top} (rows read per page, 1-1000, default 100; a
     * page can hold fewer entities and still have a next one). Paging by the {@code x-ms-continuation-token} request
     * and response headers, as the instance query. <b>400</b> for a bad name, time, flag, {@code top} or token.
     */
    void listEntities(Context ctx) {
        String name = ctx.pathParamMap().get("entityName");
        if (name != null && (name.isEmpty() || name.indexOf('@') >= 0)) {
            throw new IllegalArgumentException("The entity name '" + name + "' is not valid: it must not be empty"
                    + " or contain '@'");
        }
        boolean fetchState = flag(ctx, "fetchState", false);
        EntityQuery query = new EntityQuery()
                .setInstanceIdStartsWith(name == null ? null : "@" + name.toLowerCase(Locale.ROOT) + "@")
                .setLastModifiedFrom(time(ctx, "lastOperationTimeFrom"))
                .setLastModifiedTo(time(ctx, "lastOperationTimeTo"))
                .setIncludeState(fetchState)
                .setContinuationToken(blankToNull(ctx.header(CONTINUATION_HEADER)));
        String top = param(ctx, "top");
        if (top != null && !top.isBlank()) {
            int pageSize;
            try {
                pageSize = Integer.parseInt(top.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Query parameter 'top' must be a whole number, was '" + top + "'");
            }
            if (pageSize < 1 || pageSize > 1000) {
                throw new IllegalArgumentException("Query parameter 'top' must be between 1 and 1000, was " + pageSize);
            }
            query.setPageSize(pageSize);
        }
        DurableEntityClient client = target(ctx).client().getEntities();
        EntityQueryResult page = client.queryEntities(query);
        List<ObjectNode> items = new ArrayList<>(page.getEntities().size());
        for (EntityMetadata entity : page.getEntities()) {
            ObjectNode item = JsonNodeFactory.instance.objectNode();
            ObjectNode entityId = item.putObject("entityId");
            entityId.put("name", entity.getEntityInstanceId().getName());
            entityId.put("key", entity.getEntityInstanceId().getKey());
            item.put("lastOperationTime", entity.getLastModifiedTime() == null ? null
                    : EntityJson.formatDateTime(entity.getLastModifiedTime()));
            if (fetchState) {
                item.set("state", storedJson(entity.getSerializedState()));
            }
            items.add(item);
        }
        ctx.header(CONTINUATION_HEADER, page.getContinuationToken() == null ? "" : page.getContinuationToken());
        JsonResponses.json(ctx, 200, items, json);
    }

    /**
     * The entity of {@code /entities/{entityName}/{entityKey}}.
     *
     * @throws IllegalArgumentException for the empty key {@code $}, an empty name or key, or a name with {@code @}
     */
    private static EntityInstanceId entityId(Context ctx) {
        String name = ctx.pathParam("entityName");
        String key = ctx.pathParam("entityKey");
        if (key.equals("$")) {
            throw new IllegalArgumentException("The entity key '$' (the empty key) is not supported: entity keys"
                    + " must not be empty");
        }
        try {
            return new EntityInstanceId(name, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not a valid entity ID (name '" + name + "', key '" + key + "'): "
                    + e.getMessage(), e);
        }
    }

    /** Writes 404 and returns true if the request targets the app's own hub and the app has no such entity. */
    private boolean isUnknownEntity(Context ctx, TaskHubClients.Target target, EntityInstanceId id) {
        if (!hubs.isAppHub(target) || entities.contains(id.getName())) {
            return false;
        }
        JsonResponses.json(ctx, 404, Map.of("message", "The app defines no entity named '" + id.getName() + "'"
                + (entities.isEmpty() ? " (it has none)" : "; its entities are: " + String.join(", ", entities))),
                json);
        return true;
    }

    /**
     * An entity operation's input from a request body: the JSON it holds, else the text as a JSON string; a body
     * declared {@code application/json} must be JSON.
     *
     * @throws IllegalArgumentException if the body is declared JSON but is not
     */
    private JsonNode entityInput(Context ctx, byte[] body) {
        String problem;
        try {
            JsonNode parsed = json.readTree(body);
            if (parsed != null && !parsed.isMissingNode()) {
                return parsed;
            }
            problem = "it holds no JSON value";
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        } catch (java.io.IOException e) {
            problem = e.getMessage();
        }
        String contentType = ctx.contentType();
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (mediaType.equalsIgnoreCase("application/json")) {
            throw new IllegalArgumentException("The request body is declared application/json but is not valid"
                    + " JSON: " + problem + " (send another Content-Type to pass it as a string)");
        }
        return JsonNodeFactory.instance.textNode(new String(body, StandardCharsets.UTF_8));
    }

    /** Stored JSON text as a JSON value; text that is not JSON as a string; null as JSON null. */
    private JsonNode storedJson(String text) {
        if (text == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Applies an operation to an instance that exists and is not finished, then answers with {@link #accepted};
     * otherwise answers 404 or 410 and does nothing.
     */
    private void operateOnUnfinished(Context ctx, String instanceId, Consumer<DurableTaskClient> operation) {
        TaskHubClients.Target target = target(ctx);
        if (isMissingOrFinished(ctx, target.client(), instanceId)) {
            return;
        }
        operation.accept(target.client());
        accepted(ctx, target, instanceId);
    }

    /**
     * The 202 of an accepted operation on an instance (event, terminate, suspend, resume, rewind): no body, with
     * {@code Location} = the instance's status URL (as {@code statusQueryGetUri}, with {@code taskHub},
     * {@code connection} and {@code code}) and {@code Retry-After: 10}, so the caller can watch the effect.
     */
    private void accepted(Context ctx, TaskHubClients.Target target, String instanceId) {
        DurableClientContext context = clientContext(ctx, target);
        HttpRequestMessageImpl<byte[]> request = new HttpRequestMessageImpl<>(
                HttpFunctionHandler.requestData(ctx, new byte[0]), new byte[0]);
        ctx.header("Location", context.createHttpManagementPayload(request, instanceId).getStatusQueryGetUri());
        ctx.header("Retry-After", CHECK_STATUS_RETRY_AFTER_SECONDS);
        ctx.status(202);
    }

    private DurableClientContext clientContext(Context ctx, TaskHubClients.Target target) {
        String code = param(ctx, "code");
        return new DurableClientContext(target.client(), target.taskHub(), target.connectionName(),
                code == null || code.isEmpty() ? "" : "code=" + URLEncoder.encode(code, StandardCharsets.UTF_8));
    }

    /** The 202 check-status response, or with wait options the wait-or-check-status response. */
    private void respondStarted(Context ctx, TaskHubClients.Target target, String instanceId, WaitOptions wait,
                                byte[] body) {
        DurableClientContext context = clientContext(ctx, target);
        HttpRequestMessageImpl<byte[]> request = new HttpRequestMessageImpl<>(
                HttpFunctionHandler.requestData(ctx, body), body);
        HttpFunctionHandler.write(ctx, wait == null ? context.createCheckStatusResponse(request, instanceId)
                : context.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, wait.timeout(),
                wait.pollingInterval(), wait.failureIs500()), dataConverter);
    }

    /** Writes 404 or 410 and returns true if the instance does not exist or is finished. */
    private boolean isMissingOrFinished(Context ctx, DurableTaskClient client, String instanceId) {
        OrchestrationMetadata metadata = client.getInstanceMetadata(instanceId, false);
        if (metadata == null) {
            instanceNotFound(ctx, instanceId);
            return true;
        }
        if (FINISHED.contains(metadata.getRuntimeStatus())) {
            gone(ctx, instanceId, metadata.getRuntimeStatus());
            return true;
        }
        return false;
    }

    private void instanceNotFound(Context ctx, String instanceId) {
        JsonResponses.json(ctx, 404, Map.of("message", "No instance with ID '" + instanceId + "' was found."), json);
    }

    private void gone(Context ctx, String instanceId, OrchestrationRuntimeStatus status) {
        JsonResponses.error(ctx, 410, "The instance '" + instanceId + "' is " + status.statusName()
                + ": it has finished and cannot take this operation.", json);
    }

    private void notFound(Context ctx) {
        JsonResponses.json(ctx, 404, Map.of("message", "The durable task API has no endpoint " + ctx.method().name()
                + " " + ctx.path()), json);
    }

    private TaskHubClients.Target target(Context ctx) {
        return hubs.resolve(param(ctx, "taskHub"), param(ctx, "connection"));
    }

    private JsonNode parseJson(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The request body is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("The request body cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Wraps an endpoint: 413 for a body over the limit (answered by the server), 409 for an instance ID in use, 400
     * for {@link IllegalArgumentException}, 501 for {@link UnsupportedOperationException}, 500 for anything else
     * (logged).
     */
    private Handler endpoint(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (RequestBodies.TooLargeException e) {
                throw e;
            } catch (OrchestrationAlreadyExistsException e) {
                JsonResponses.error(ctx, 409, e.getMessage(), json);
            } catch (IllegalArgumentException e) {
                JsonResponses.error(ctx, 400, e.getMessage(), json);
            } catch (UnsupportedOperationException e) {
                JsonResponses.error(ctx, 501, "Not supported by this host yet: " + e.getMessage(), json);
            } catch (Exception e) {
                log.error("Durable task API: {} {} failed", ctx.method(), ctx.path(), e);
                JsonResponses.error(ctx, 500, "Something went wrong while processing your request: " + e, json);
            }
        };
    }

    /**
     * The {@code timeout} and {@code pollingInterval} of the start and restart endpoints (seconds); null unless both
     * are given.
     *
     * @param timeout         how long to wait
     * @param pollingInterval how often to look
     * @param failureIs500    {@code returnInternalServerErrorOnFailure}
     */
    private record WaitOptions(Duration timeout, Duration pollingInterval, boolean failureIs500) {
        /**
         * @throws IllegalArgumentException if a value is not a non-negative number of seconds, or the polling
         *                                  interval is 0 or longer than the timeout
         */
        static WaitOptions of(Context ctx) {
            Duration timeout = seconds(ctx, "timeout");
            Duration interval = seconds(ctx, "pollingInterval");
            boolean failureIs500 = flag(ctx, "returnInternalServerErrorOnFailure", false);
            if (timeout == null || interval == null) {
                return null;
            }
            if (interval.isZero()) {
                throw new IllegalArgumentException("Query parameter 'pollingInterval' must be more than 0 seconds");
            }
            if (interval.compareTo(timeout) > 0 && !timeout.isZero()) {
                throw new IllegalArgumentException("Query parameter 'timeout' (" + timeout.toMillis() / 1000.0
                        + " s) must not be shorter than 'pollingInterval' (" + interval.toMillis() / 1000.0 + " s)");
            }
            return new WaitOptions(timeout, interval, failureIs500);
        }
    }

    // ------------------------------------------------------------------------------------------------ parameters

    /** A query parameter's first value, the name matched ignoring case (as ASP.NET does); null if absent. */
    static String param(Context ctx, String name) {
        return ctx.queryParamMap().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst().orElse(null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * A boolean query parameter.
     *
     * @throws IllegalArgumentException if present but not {@code true} or {@code false} (ignoring case)
     */
    static boolean flag(Context ctx, String name, boolean defaultValue) {
        String value = param(ctx, name);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("Query parameter '" + name + "' must be true or false, was '"
                    + value + "'");
        };
    }

    /**
     * A duration in (possibly fractional) seconds; null if absent.
     *
     * @throws IllegalArgumentException if not a non-negative number
     */
    static Duration seconds(Context ctx, String name) {
        String value = blankToNull(param(ctx, name));
        if (value == null) {
            return null;
        }
        try {
            BigDecimal secs = new BigDecimal(value.trim());
            if (secs.signum() < 0 || secs.compareTo(BigDecimal.valueOf(365L * 24 * 3600)) > 0) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(secs.movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Query parameter '" + name + "' must be a number of seconds (0 or"
                    + " more), was '" + value + "'");
        }
    }

    /**
     * An ISO-8601 time: with an offset ({@code 2026-01-31T12:00:00Z}, {@code ...+02:00}), without one (UTC), or a
     * date alone (its start, UTC). A {@code +} decoded as a space (an unencoded offset in a URL) is read as
     * {@code +}.
     *
     * @return the instant, or null if absent
     * @throws IllegalArgumentException if malformed
     */
    static Instant time(Context ctx, String name) {
        String value = blankToNull(param(ctx, name));
        if (value == null) {
            return null;
        }
        String text = value.trim().replace(' ', '+');
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, OffsetDateTime::from,
                    LocalDateTime::from);
            return parsed instanceof OffsetDateTime odt ? odt.toInstant()
                    : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw new IllegalArgumentException("Query parameter '" + name + "' must be an ISO-8601 time such as"
                        + " 2026-01-31T12:00:00Z, was '" + value + "'");
            }
        }
    }

    /**
     * The {@code runtimeStatus} list: comma-separated status names, ignoring case and blanks.
     *
     * @throws IllegalArgumentException naming an unknown status and the known ones
     */
    static List<OrchestrationRuntimeStatus> statuses(Context ctx) {
        String value = param(ctx, "runtimeStatus");
        List<OrchestrationRuntimeStatus> statuses = new ArrayList<>();
        if (value == null) {
            return statuses;
        }
        for (String item : value.split(",")) {
            String name = item.trim();
            if (name.isEmpty()) {
                continue;
            }
            OrchestrationRuntimeStatus status = Arrays.stream(OrchestrationRuntimeStatus.values())
                    .filter(s -> s.statusName().equalsIgnoreCase(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Query parameter 'runtimeStatus': '" + name
                            + "' is not a status; use " + Arrays.stream(OrchestrationRuntimeStatus.values())
                            .map(OrchestrationRuntimeStatus::statusName).toList()));
            statuses.add(status);
        }
        return statuses;
    }
}
