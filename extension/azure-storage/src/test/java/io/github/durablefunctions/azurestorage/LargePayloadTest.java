package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Large payloads (storage-layout.md §7) end to end through core's worker and client on Azurite: multi-megabyte
 * orchestration inputs and outputs, activity inputs and results, external events, continue-as-new inputs,
 * sub-orchestration inputs and outputs, entity state and operation inputs; large termination reasons and failure
 * details (with a rewind over offloaded rows).
 * Each test checks the storage format (wrapper messages, blob names and their gzip content, {@code ""} plus
 * {@code <Prop>BlobName} history columns, blob URLs in the Instances row), that the client reads back exactly what
 * was sent, and that purge leaves no blob of the instance behind; small payloads create no blob at all.
 */
@ExtendWith(AzuriteExtension.class)
class LargePayloadTest {
    static final String HUB = "LargePayloadHub";
    static final String CONTAINER = "largepayloadhub-largemessages";
    static final Duration WITHIN = Duration.ofSeconds(120);
    static final ObjectMapper JSON = new ObjectMapper();
    /** About 2.5 MB of JSON per payload. */
    static final int BIG = 2_500_000;
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static final EntityInstanceId STORE = new EntityInstanceId("store", "big");

    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;
    static DurableEntityClient entities;
    static BlobContainerClient container;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = register(DurableTaskWorker.builder().service(service)).build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
        entities = client.getEntities();
        container = StorageTestSupport.blobs().getBlobContainerClient(CONTAINER);
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    static DurableTaskWorker.Builder register(DurableTaskWorker.Builder builder) {
        return builder
                .addOrchestrator("Echo", ctx -> ctx.getInput(String.class))
                .addOrchestrator("BigPipeline", ctx -> {
                    String input = ctx.getInput(String.class);
                    String fromActivity = ctx.callActivity("Reverse", input, String.class).await();
                    String event = ctx.waitForExternalEvent("Big", String.class).await();
                    String fromChild = ctx.callSubOrchestrator("ReverseChild", event, ctx.getInstanceId() + "-child",
                            String.class).await();
                    return List.of(fromActivity, fromChild);
                })
                .addOrchestrator("ReverseChild", ctx -> reverse(ctx.getInput(String.class)))
                .addOrchestrator("ContinueBig", ctx -> {
                    String input = ctx.getInput(String.class);
                    if (!input.startsWith("again:")) {
                        ctx.continueAsNew("again:" + reverse(input));
                        return null;
                    }
                    return reverse(input.substring("again:".length()));
                })
                .addOrchestrator("SmallPipeline", ctx -> ctx.callActivity("Reverse", ctx.getInput(String.class),
                        String.class).await())
                .addOrchestrator("WaitForever", ctx -> ctx.waitForExternalEvent("never", String.class).await())
                .addOrchestrator("FlakyBig", ctx -> ctx.callActivity("FailFirstWithBigMessage",
                        ctx.getInstanceId(), String.class).await())
                .addOrchestrator("ReadStore", ctx -> ctx.callEntity(STORE, "get", String.class).await())
                .addActivity("Reverse", ctx -> reverse(ctx.getInput(String.class)))
                .addActivity("FailFirstWithBigMessage", ctx -> {
                    String id = ctx.getInput(String.class);
                    if (CALLS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                        throw new IllegalStateException(failureMessage(id));
                    }
                    return "second call of " + id;
                })
                .addEntity("store", () -> LargePayloadTest::store);
    }

    /** An entity keeping one string: {@code set} (the new string), {@code get}. */
    static Object store(TaskEntityOperation operation) {
        TaskEntityState state = operation.getState();
        switch (operation.getName()) {
            case "set" -> state.setState(operation.getInput(String.class));
            case "get" -> {
                return state.getState(String.class, null);
            }
            default -> throw new UnsupportedOperationException(operation.getName());
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Random text that gzip cannot squeeze much: letters, digits and punctuation, with some 2-, 3- and 4-byte UTF-8
     * characters and characters JSON escapes.
     */
    static String randomText(long seed, int length) {
        String[] alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_.,;: ".split("");
        String[] special = {"é", "ß", "漢", "字", "😀", "\"", "\\", "\n", "{", "}"};
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(length + 2);
        while (sb.length() < length) {
            sb.append(random.nextInt(50) == 0 ? special[random.nextInt(special.length)]
                    : alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    static String failureMessage(String id) {
        return "failure of " + id + ": " + randomText(id.hashCode(), 100_000);
    }

    static String json(Object value) throws IOException {
        return JSON.writeValueAsString(value);
    }

    /** The names of the blobs in the task hub's container that start with {@code prefix}. */
    static List<String> blobs(String prefix) {
        if (!container.exists()) {
            return List.of();
        }
        return container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream()
                .map(BlobItem::getName).toList();
    }

    /** A blob's content, gunzipped (this also checks it is gzip). */
    static String gunzip(String blobName) throws IOException {
        byte[] bytes = container.getBlobClient(blobName).downloadContent().toBytes();
        assertThat(bytes[0] & 0xFF).as("gzip magic of " + blobName).isEqualTo(0x1F);
        assertThat(bytes[1] & 0xFF).isEqualTo(0x8B);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The URL a blob name has in an Instances column: the container URL and the escaped segments. */
    static String url(String blobName) {
        StringBuilder sb = new StringBuilder(container.getBlobContainerUrl());
        for (String segment : blobName.split("/", -1)) {
            sb.append('/');
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xFF;
                if (Character.isLetterOrDigit(c) && c < 0x80 || c == '-' || c == '_' || c == '.' || c == '~') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("%%%02X", c));
                }
            }
        }
        return sb.toString();
    }

    /** The History rows of an instance's partition, without the sentinel. */
    static List<TableEntity> historyRows(String instanceId) {
        return StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(instanceId)).stream()
                .filter(r -> !r.getRowKey().equals("sentinel")).toList();
    }

    static TableEntity instanceRow(String instanceId) {
        return StorageTestSupport.rows(HUB + "Instances", KeySanitation.escapePartitionKey(instanceId)).get(0);
    }

    /** The first history row of a type. */
    static TableEntity row(List<TableEntity> rows, String eventType) {
        return rows.stream().filter(r -> eventType.equals(r.getProperty("EventType"))).findFirst().orElseThrow(
                () -> new AssertionError("no " + eventType + " row"));
    }

    /**
     * Asserts that a history row's property was offloaded (§7.2): the column is {@code ""}, {@code <Prop>BlobName}
     * names {@code {PartitionKey}/history-{RowKey}-{EventType}-{8 hex}-{Prop}.json.gz}, and the blob gunzips to
     * {@code expected}. Returns the blob name.
     */
    static String assertOffloaded(TableEntity row, String property, String expected) throws IOException {
        assertThat(row.getProperty(property)).as(property + " of " + row.getRowKey()).isEqualTo("");
        String blobName = (String) row.getProperty(property + "BlobName");
        assertThat(blobName).matches(Pattern.quote(row.getPartitionKey() + "/history-" + row.getRowKey() + "-"
                + row.getProperty("EventType") + "-") + "[0-9A-F]{8}-" + property + "\\.json\\.gz");
        assertThat(gunzip(blobName)).isEqualTo(expected);
        return blobName;
    }

    /** The message blobs of an instance ({@code {instanceId}/message-{32 hex}-{EventType}.json.gz}) by event type. */
    static List<String> messageBlobTypes(String instanceId) {
        Pattern name = Pattern.compile(Pattern.quote(instanceId) + "/message-[0-9a-f]{32}-([A-Za-z]+)\\.json\\.gz");
        List<String> types = new ArrayList<>();
        for (String blob : blobs(instanceId + "/message-")) {
            Matcher m = name.matcher(blob);
            assertThat(m.matches()).as(blob).isTrue();
            types.add(m.group(1));
        }
        return types;
    }

    /** Purges the instances and asserts that no blob starting with their raw or escaped IDs is left. */
    static void purgeAndAssertNoBlobsLeft(String... instanceIds) {
        for (String id : instanceIds) {
            assertThat(client.purgeInstance(id).getDeletedInstanceCount()).as("purge " + id).isEqualTo(1);
        }
        for (String id : instanceIds) {
            assertThat(blobs(id)).as("blobs of " + id).isEmpty();
            assertThat(blobs(KeySanitation.escapePartitionKey(id))).as("blobs of " + id).isEmpty();
        }
    }

    // -------------------------------------------------------------------------------------------------- tests

    @Test
    void inputsResultsEventsAndSubOrchestrationsOfMegabytesGoThroughBlobsAndReadBackWhole() throws Exception {
        String id = "big/pipeline#1";
        String input = randomText(1, BIG);
        String event = randomText(2, BIG);
        client.scheduleNewOrchestrationInstance("BigPipeline", input, id);
        client.waitForInstanceStart(id, WITHIN, false);
        client.raiseEvent(id, "Big", event);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(done.getRuntimeStatus()).as(String.valueOf(done.getFailureDetails()))
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readInputAs(String.class)).isEqualTo(input);
        assertThat(done.readOutputAs(String[].class)).containsExactly(reverse(input), reverse(event));

        // §7.1: every large message went through a blob named after its target instance.
        String child = id + "-child";
        assertThat(messageBlobTypes(id)).containsExactlyInAnyOrder("ExecutionStarted", "TaskScheduled",
                "TaskCompleted", "EventRaised", "SubOrchestrationInstanceCompleted");
        assertThat(messageBlobTypes(child)).containsExactly("ExecutionStarted");
        String started = blobs(id + "/message-").stream().filter(n -> n.endsWith("-ExecutionStarted.json.gz"))
                .findFirst().orElseThrow();
        JsonNode message = JSON.readTree(gunzip(started));
        assertThat(message.fieldNames().next()).isEqualTo("$type");
        assertThat(message.path("$type").asText()).isEqualTo("DurableTask.AzureStorage.MessageData");
        assertThat(message.path("ActivityId").asText().replace("-", "")).isEqualTo(started.substring(
                (id + "/message-").length(), (id + "/message-").length() + 32));
        assertThat(message.path("CompressedBlobName").isNull()).isTrue();
        assertThat(message.path("TaskMessage").path("Event").path("EventType").asInt()).isZero();
        assertThat(message.path("TaskMessage").path("Event").path("Input").asText()).isEqualTo(json(input));

        // §7.2: the large history properties are "" plus <Prop>BlobName, with the value gzipped in the blob.
        List<TableEntity> rows = historyRows(id);
        String inputBlob = assertOffloaded(row(rows, "ExecutionStarted"), "Input", json(input));
        assertOffloaded(row(rows, "TaskScheduled"), "Input", json(input));
        assertOffloaded(row(rows, "TaskCompleted"), "Result", json(reverse(input)));
        assertOffloaded(row(rows, "EventRaised"), "Input", json(event));
        assertOffloaded(row(rows, "SubOrchestrationInstanceCreated"), "Input", json(event));
        assertOffloaded(row(rows, "SubOrchestrationInstanceCompleted"), "Result", json(reverse(event)));
        String outputBlob = assertOffloaded(row(rows, "ExecutionCompleted"), "Result",
                json(List.of(reverse(input), reverse(event))));
        assertThat(inputBlob).startsWith("big^0pipeline^21/history-");
        List<TableEntity> childRows = historyRows(child);
        String childInputBlob = assertOffloaded(row(childRows, "ExecutionStarted"), "Input", json(event));
        String childOutputBlob = assertOffloaded(row(childRows, "ExecutionCompleted"), "Result",
                json(reverse(event)));
        // Small properties stay in their columns.
        assertThat(row(rows, "TaskScheduled").getProperty("Name")).isEqualTo("Reverse");
        assertThat(row(rows, "TaskScheduled").getProperty("NameBlobName")).isNull();

        // §7.2: the Instances row holds the absolute URLs of the history blobs.
        TableEntity instance = instanceRow(id);
        assertThat(instance.getProperty("Input")).isEqualTo(url(inputBlob));
        assertThat((String) instance.getProperty("Input")).contains("/big%5E0pipeline%5E21/history-");
        assertThat(instance.getProperty("Output")).isEqualTo(url(outputBlob));
        assertThat(instanceRow(child).getProperty("Input")).isEqualTo(url(childInputBlob));
        assertThat(instanceRow(child).getProperty("Output")).isEqualTo(url(childOutputBlob));

        // Reads: status with and without payloads, the history, and a query page.
        OrchestrationMetadata bare = client.getInstanceMetadata(id, false);
        assertThat(bare.getSerializedInput()).isNull();
        assertThat(bare.getSerializedOutput()).isNull();
        assertThat(client.getInstanceMetadata(child, true).readOutputAs(String.class)).isEqualTo(reverse(event));
        List<HistoryEvent> history = client.getOrchestrationHistory(id);
        assertThat(history).filteredOn(e -> e instanceof ExecutionStartedEvent).singleElement()
                .extracting(e -> ((ExecutionStartedEvent) e).input()).isEqualTo(json(input));
        assertThat(history).filteredOn(e -> e instanceof TaskScheduledEvent).singleElement()
                .extracting(e -> ((TaskScheduledEvent) e).input()).isEqualTo(json(input));
        assertThat(history).filteredOn(e -> e instanceof TaskCompletedEvent).singleElement()
                .extracting(e -> ((TaskCompletedEvent) e).result()).isEqualTo(json(reverse(input)));
        assertThat(history).filteredOn(e -> e instanceof EventRaisedEvent).singleElement()
                .extracting(e -> ((EventRaisedEvent) e).input()).isEqualTo(json(event));
        List<OrchestrationMetadata> page = client.queryInstances(new OrchestrationStatusQuery()
                .setInstanceIdPrefix("big/pipeline").setFetchInputsAndOutputs(true)).getOrchestrationState();
        assertThat(page).extracting(OrchestrationMetadata::getInstanceId).containsExactlyInAnyOrder(id, child);
        OrchestrationMetadata listed = page.stream().filter(m -> m.getInstanceId().equals(id)).findFirst()
                .orElseThrow();
        assertThat(listed.readInputAs(String.class)).isEqualTo(input);
        assertThat(listed.readOutputAs(String[].class)).containsExactly(reverse(input), reverse(event));
        assertThat(client.queryInstances(new OrchestrationStatusQuery().setInstanceIdPrefix("big/pipeline"))
                .getOrchestrationState()).allSatisfy(m -> assertThat(m.getSerializedInput()).isNull());

        // §7.2 "Purge": nothing of either instance is left (history blobs under the escaped key included).
        assertThat(blobs("big^0pipeline^21/")).isNotEmpty();
        purgeAndAssertNoBlobsLeft(id, child);
    }

    @Test
    void aClientStartOverFortyFiveKibibytesIsAWrapperMessageAndTheInstancesRowPointsAtItsBlob() throws Exception {
        // A hub without a worker, so that the message can be looked at in its queue; then a worker runs it.
        String hub = "LargeWireHub";
        AzureStorageOrchestrationService idle = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).build());
        DurableTaskClient idleClient = new BackendDurableTaskClient(idle, new JacksonDataConverter());
        BlobContainerClient wireContainer = StorageTestSupport.blobs().getBlobContainerClient(
                "largewirehub-largemessages");
        String id = "wire/start#1";
        String input = randomText(3, BIG);
        idleClient.scheduleNewOrchestrationInstance("Echo", input, id);
        String small = idleClient.scheduleNewOrchestrationInstance("Echo", "small", "wire-small");

        String queue = "largewirehub-control-0" + Fnv1aHash.partitionIndex(id, 4);
        List<String> bodies = StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null)
                .stream().map(PeekedMessageItem::getBody).map(Object::toString).toList();
        String wrapper = bodies.stream().filter(b -> b.contains("\"TaskMessage\":null")).findFirst().orElseThrow();
        Matcher name = Pattern.compile("\\{\"\\$type\":\"DurableTask\\.AzureStorage\\.MessageData\","
                + "\"ActivityId\":\"00000000-0000-0000-0000-000000000000\",\"TaskMessage\":null,"
                + "\"CompressedBlobName\":\"(" + Pattern.quote(id) + "/message-([0-9a-f]{32})-ExecutionStarted"
                + "\\.json\\.gz)\",\"SequenceNumber\":0,\"SerializableTraceContext\":null}").matcher(wrapper);
        assertThat(name.matches()).as(wrapper).isTrue();
        String blobName = name.group(1);
        byte[] gz = wireContainer.getBlobClient(blobName).downloadContent().toBytes();
        String full;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            full = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(gz.length).isLessThan(full.length()); // compressed
        MessageData data = MessageCodec.decode(full);
        assertThat(data.activityId().toString().replace("-", "")).isEqualTo(name.group(2));
        assertThat(data.taskMessage().instanceId()).isEqualTo(id);
        assertThat(((ExecutionStartedEvent) data.taskMessage().event()).input()).isEqualTo(json(input));
        assertThat(data.sender()).isNotNull();
        // The small start is sent as it is, and no blob exists for it.
        String smallQueue = "largewirehub-control-0" + Fnv1aHash.partitionIndex(small, 4);
        assertThat(StorageTestSupport.queues().getQueueClient(smallQueue).peekMessages(32, null, null).stream()
                .map(m -> m.getBody().toString()).filter(b -> b.contains("wire-small")))
                .singleElement().satisfies(b -> assertThat(b).contains("\"CompressedBlobName\":null"));
        assertThat(wireContainer.listBlobs().stream().map(BlobItem::getName)).containsExactly(blobName);

        // §7.2: the Pending row's Input is the URL of the message blob, read back as the message's input.
        TableEntity row = StorageTestSupport.rows(hub + "Instances", KeySanitation.escapePartitionKey(id)).get(0);
        assertThat(row.getProperty("Input")).isEqualTo(wireContainer.getBlobContainerUrl()
                + "/wire/start%231/message-" + name.group(2) + "-ExecutionStarted.json.gz");
        assertThat(idleClient.getInstanceMetadata(id, true).readInputAs(String.class)).isEqualTo(input);
        assertThat(idleClient.getInstanceMetadata(id, false).getSerializedInput()).isNull();

        // A worker reads the wrapper, runs the instance, and the row then points at the history blobs.
        DurableTaskWorker wireWorker = register(DurableTaskWorker.builder().service(idle)).build();
        wireWorker.start();
        try {
            OrchestrationMetadata done = idleClient.waitForInstanceCompletion(id, WITHIN, true);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readInputAs(String.class)).isEqualTo(input);
            assertThat(done.readOutputAs(String.class)).isEqualTo(input);
            assertThat(idleClient.waitForInstanceCompletion(small, WITHIN, true).readOutputAs(String.class))
                    .isEqualTo("small");
            assertThat((String) StorageTestSupport.rows(hub + "Instances", KeySanitation.escapePartitionKey(id))
                    .get(0).getProperty("Output")).startsWith(wireContainer.getBlobContainerUrl()
                    + "/wire%5E0start%5E21/history-").contains("-ExecutionCompleted-").endsWith("-Result.json.gz");
            assertThat(wireContainer.listBlobs().stream().map(BlobItem::getName))
                    .noneMatch(n -> n.startsWith("wire-small"));

            assertThat(idleClient.purgeInstance(id).getDeletedInstanceCount()).isEqualTo(1);
            assertThat(wireContainer.listBlobs().stream().map(BlobItem::getName)).isEmpty();
        } finally {
            wireWorker.close();
        }
    }

    @Test
    void aContinueAsNewInputOfMegabytesIsOffloadedInTheNewExecution() throws Exception {
        String id = "big-continue";
        String input = randomText(4, BIG);
        client.scheduleNewOrchestrationInstance("ContinueBig", input, id);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        String continued = "again:" + reverse(input);
        assertThat(done.readInputAs(String.class)).isEqualTo(continued);
        assertThat(done.readOutputAs(String.class)).isEqualTo(input);
        List<TableEntity> rows = historyRows(id);
        String inputBlob = assertOffloaded(row(rows, "ExecutionStarted"), "Input", json(continued));
        String outputBlob = assertOffloaded(row(rows, "ExecutionCompleted"), "Result", json(input));
        assertThat(instanceRow(id).getProperty("Input")).isEqualTo(url(inputBlob));
        assertThat(instanceRow(id).getProperty("Output")).isEqualTo(url(outputBlob));
        assertThat(client.getOrchestrationHistory(id)).filteredOn(e -> e instanceof ExecutionStartedEvent)
                .singleElement().extracting(e -> ((ExecutionStartedEvent) e).input()).isEqualTo(json(continued));

        purgeAndAssertNoBlobsLeft(id);
    }

    @Test
    void anEntityStateOfMegabytesIsOffloadedAndReadBackByTheClientQueriesAndAnOrchestration() throws Exception {
        String state = randomText(5, BIG);
        entities.signalEntity(STORE, "set", state);
        String instanceId = STORE.toString();
        await().atMost(WITHIN).until(() -> {
            EntityMetadata metadata = entities.getEntityMetadata(STORE, true);
            return metadata != null && state.equals(metadata.readStateAs(String.class));
        });

        // The signal (an EventRaised with the operation input) went through a blob; so does the scheduler state.
        assertThat(messageBlobTypes(instanceId)).contains("EventRaised");
        List<TableEntity> rows = historyRows(instanceId);
        TableEntity startedRow = row(rows, "ExecutionStarted");
        assertThat(startedRow.getProperty("Input")).isEqualTo("");
        String schedulerState = gunzip((String) startedRow.getProperty("InputBlobName"));
        assertThat(JSON.readTree(schedulerState).path("state").asText()).isEqualTo(json(state));
        TableEntity instance = instanceRow(instanceId);
        assertThat(instance.getProperty("Input")).isEqualTo(url((String) startedRow.getProperty("InputBlobName")));

        assertThat(entities.getEntityMetadata(STORE, false).isIncludesState()).isFalse();
        List<EntityMetadata> listed = entities.queryEntities(new EntityQuery().setInstanceIdStartsWith("@store@")
                .setIncludeState(true)).getEntities();
        assertThat(listed).singleElement().satisfies(m -> assertThat(m.readStateAs(String.class)).isEqualTo(state));

        // The entity's response to a call carries the state: another large message, to the orchestration.
        String reader = client.scheduleNewOrchestrationInstance("ReadStore", null, "big-store-reader");
        OrchestrationMetadata read = client.waitForInstanceCompletion(reader, WITHIN, true);
        assertThat(read.readOutputAs(String.class)).isEqualTo(state);
        assertThat(messageBlobTypes(reader)).containsExactly("EventRaised");

        purgeAndAssertNoBlobsLeft(reader, instanceId);
    }

    @Test
    void aLargeTerminationReasonIsTheOutput() throws Exception {
        String id = "big-terminated";
        String reason = randomText(6, 200_000); // the worker logs the reason: not megabytes
        client.scheduleNewOrchestrationInstance("WaitForever", null, id);
        client.waitForInstanceStart(id, WITHIN, false);
        await().atMost(WITHIN).until(() -> client.getInstanceMetadata(id, false).getRuntimeStatus()
                == OrchestrationRuntimeStatus.RUNNING);
        client.terminate(id, reason);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(done.readOutputAs(String.class)).isEqualTo(reason);
        assertThat(messageBlobTypes(id)).containsExactly("ExecutionTerminated");
        assertOffloaded(row(historyRows(id), "ExecutionTerminated"), "Input", json(reason));
        assertThat((String) instanceRow(id).getProperty("Output")).startsWith(container.getBlobContainerUrl() + "/");

        purgeAndAssertNoBlobsLeft(id);
    }

    @Test
    void largeFailureDetailsAreReadBackAndARewindOverOffloadedRowsCompletes() throws Exception {
        String id = "big-flaky";
        client.scheduleNewOrchestrationInstance("FlakyBig", null, id);
        OrchestrationMetadata failed = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(failed.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(failed.getFailureDetails().getErrorMessage()).contains(failureMessage(id));
        List<TableEntity> rows = historyRows(id);
        TableEntity taskFailed = row(rows, "TaskFailed");
        assertThat(taskFailed.getProperty("FailureDetails")).isEqualTo("");
        assertThat(JSON.readTree(gunzip((String) taskFailed.getProperty("FailureDetailsBlobName")))
                .path("ErrorMessage").asText()).isEqualTo(failureMessage(id));
        assertThat(row(rows, "ExecutionCompleted").getProperty("FailureDetailsBlobName")).isNotNull();
        assertThat(messageBlobTypes(id)).contains("TaskFailed");

        client.rewindInstance(id, "again");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("second call of " + id);
        assertThat(done.getFailureDetails()).isNull();
        assertThat(CALLS.get(id)).hasValue(2);
        assertThat(client.getOrchestrationHistory(id)).isNotEmpty();

        purgeAndAssertNoBlobsLeft(id);
    }

    @Test
    void smallPayloadsCreateNoBlobs() throws Exception {
        String id = "small-pipeline";
        client.scheduleNewOrchestrationInstance("SmallPipeline", randomText(7, 20_000), id);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(blobs(id)).isEmpty();
        assertThat(historyRows(id)).allSatisfy(r -> assertThat(r.getProperties().keySet())
                .noneMatch(k -> k.endsWith("BlobName")));
        assertThat((String) instanceRow(id).getProperty("Input")).startsWith("\"");
        assertThat(instanceRow(id).getProperties().keySet()).noneMatch(k -> k.endsWith("BlobName"));
    }
}
