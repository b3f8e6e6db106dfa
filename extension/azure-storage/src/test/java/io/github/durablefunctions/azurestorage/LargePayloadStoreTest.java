package io.github.durablefunctions.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.OrchestrationInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link LargePayloadStore} against Azurite (storage-layout.md §7): blob names, limits, gzip round trips, the lazy
 * container, blob URLs and what counts as one, table-row offloading, and the receive side of a wrapper message whose
 * blob is missing or corrupt.
 */
@ExtendWith(AzuriteExtension.class)
class LargePayloadStoreTest {
    static BlobContainerClient container;
    static LargePayloadStore store;

    @BeforeAll
    static void create() {
        container = StorageTestSupport.blobs().getBlobContainerClient("storetesthub-largemessages");
        container.createIfNotExists();
        store = new LargePayloadStore(container);
    }

    @Test
    void blobNamesFollowTheLayout() {
        UUID activityId = UUID.fromString("0c2f1b7e-aaaa-4bbb-8ccc-0123456789ab");
        assertThat(LargePayloadStore.messageBlobName("a/b#1", activityId, EventType.TaskCompleted))
                .isEqualTo("a/b#1/message-0c2f1b7eaaaa4bbb8ccc0123456789ab-TaskCompleted.json.gz");
        assertThat(LargePayloadStore.propertyBlobName("a^0b^21", "000000000000000A", "TaskScheduled", "Input"))
                .matches("a\\^0b\\^21/history-000000000000000A-TaskScheduled-[0-9A-F]{8}-Input\\.json\\.gz");
        assertThat(LargePayloadStore.propertyBlobName("x", "", null, "Tags"))
                .matches("x/history--Tags-[0-9A-F]{8}-Tags\\.json\\.gz");
    }

    @Test
    void limitsCountUtf8BytesForMessagesAndUtf16BytesForProperties() {
        assertThat(LargePayloadStore.exceedsMessageLimit("x".repeat(46_080))).isFalse();
        assertThat(LargePayloadStore.exceedsMessageLimit("x".repeat(46_081))).isTrue();
        assertThat(LargePayloadStore.exceedsMessageLimit("漢".repeat(15_360))).isFalse(); // 46,080 bytes
        assertThat(LargePayloadStore.exceedsMessageLimit("漢".repeat(15_361))).isTrue();
        assertThat(LargePayloadStore.exceedsMessageLimit("😀".repeat(11_520))).isFalse(); // 4 bytes each
        assertThat(LargePayloadStore.exceedsMessageLimit("😀".repeat(11_521))).isTrue();
        assertThat(LargePayloadStore.exceedsPropertyLimit("x".repeat(30_720))).isFalse(); // 61,440 bytes
        assertThat(LargePayloadStore.exceedsPropertyLimit("x".repeat(30_721))).isTrue();
        assertThat(LargePayloadStore.exceedsPropertyLimit(null)).isFalse();
    }

    @Test
    void theFirstUploadCreatesTheContainer() {
        BlobContainerClient fresh = StorageTestSupport.blobs().getBlobContainerClient("lazyhub-largemessages");
        LargePayloadStore lazy = new LargePayloadStore(fresh);
        assertThat(fresh.exists()).isFalse();
        lazy.upload("a.json.gz", "1");
        assertThat(fresh.exists()).isTrue();
        fresh.delete(); // deleted behind its back: created again
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            lazy.upload("b.json.gz", "2");
            assertThat(lazy.download("b.json.gz")).isEqualTo("2");
        });
    }

    @Test
    void uploadsAreGzippedTextThatDownloadsBack() {
        String text = "{\"a\":\"é漢😀\"}" + "z".repeat(100_000);
        store.upload("round/trip.json.gz", text);

        byte[] raw = container.getBlobClient("round/trip.json.gz").downloadContent().toBytes();
        assertThat(raw[0] & 0xFF).isEqualTo(0x1F);
        assertThat(raw[1] & 0xFF).isEqualTo(0x8B);
        assertThat(raw.length).isLessThan(2_000);
        assertThat(store.download("round/trip.json.gz")).isEqualTo(text);
    }

    @Test
    void aMissingOrCorruptBlobIsAClearError() {
        assertThatThrownBy(() -> store.download("no/such.json.gz")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("storetesthub-largemessages/no/such.json.gz").hasMessageContaining("not exist");
        container.getBlobClient("corrupt.json.gz").upload(BinaryData.fromString("not gzip"), true);
        assertThatThrownBy(() -> store.download("corrupt.json.gz")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt.json.gz").hasMessageContaining("not valid gzip");
    }

    @Test
    void urlsEscapeEachSegmentLikeEscapeDataStringAndReadBackToTheName() {
        String name = "a b/c#d^0é+~-_.x/history--Input-0A1B2C3D-Input.json.gz";
        String url = store.url(name);
        assertThat(url).isEqualTo(container.getBlobContainerUrl()
                + "/a%20b/c%23d%5E0%C3%A9%2B~-_.x/history--Input-0A1B2C3D-Input.json.gz");
        assertThat(store.blobNameOfUrl(url)).isEqualTo(name);
        assertThat(store.isBlobUrl(url)).isTrue();
    }

    @Test
    void onlyUrlsIntoThisContainerEndingInJsonGzAreBlobReferences() {
        String base = container.getBlobContainerUrl();
        // A user's string input is JSON: quoted, so never a URI.
        assertThat(store.isBlobUrl("\"" + base + "/x/message-1-ExecutionStarted.json.gz\"")).isFalse();
        assertThat(store.isBlobUrl("\"http://example.com/x\"")).isFalse();
        assertThat(store.isBlobUrl("http://example.com/x.json.gz")).isFalse();
        assertThat(store.isBlobUrl(base.replace("storetesthub", "otherhub") + "/x.json.gz")).isFalse();
        assertThat(store.isBlobUrl(base + "/x.json")).isFalse();
        assertThat(store.isBlobUrl(base + "/a b.json.gz")).isFalse(); // not well-formed
        assertThat(store.isBlobUrl(base + "/x.json.gz?sig=1")).isFalse();
        assertThat(store.isBlobUrl("ErrorType: " + base + "/x.json.gz")).isFalse();
        assertThat(store.isBlobUrl(null)).isFalse();
        assertThat(store.isBlobUrl("null")).isFalse();
        assertThat(store.isBlobUrl(base.toUpperCase().replace("STORETESTHUB-LARGEMESSAGES", "storetesthub-largemessages")
                + "/x.json.gz")).isTrue(); // scheme and host ignore case
    }

    @Test
    void resolvingAColumnFollowsBlobNamesOnlyNextToAnEmptyColumnAndUrlsAlways() {
        store.upload("cols/in.json.gz", "\"from blob\"");
        assertThat(store.resolveColumn(Map.of("Input", "", "InputBlobName", "cols/in.json.gz"), "Input"))
                .isEqualTo("\"from blob\"");
        assertThat(store.resolveColumn(Map.of("Input", "\"rewritten\"", "InputBlobName", "cols/in.json.gz"),
                "Input")).isEqualTo("\"rewritten\"");
        assertThat(store.resolveColumn(Map.of("Input", store.url("cols/in.json.gz")), "Input"))
                .isEqualTo("\"from blob\"");
        assertThat(store.resolveColumn(Map.of("Input", "\"plain\""), "Input")).isEqualTo("\"plain\"");
        assertThat(store.resolveColumn(Map.of(), "Input")).isNull();
    }

    @Test
    void offloadingARowUploadsOnlyTheLargeSizedPropertiesAndNamesThem() {
        TableEntity row = new TableEntity("row^0pk", "0000000000000003");
        row.addProperty("EventType", "TaskCompleted");
        row.addProperty("Result", "r".repeat(40_000));
        row.addProperty("Name", "small");
        row.addProperty("Other", "o".repeat(40_000)); // not one of the offloaded properties

        Map<String, String> offloaded = store.offloadLargeProperties(row);

        assertThat(offloaded).containsOnlyKeys("Result");
        assertThat(offloaded.get("Result"))
                .matches("row\\^0pk/history-0000000000000003-TaskCompleted-[0-9A-F]{8}-Result\\.json\\.gz");
        assertThat(row.getProperty("Result")).isEqualTo("");
        assertThat(row.getProperty("ResultBlobName")).isEqualTo(offloaded.get("Result"));
        assertThat(row.getProperty("Name")).isEqualTo("small");
        assertThat(row.getProperty("NameBlobName")).isNull();
        assertThat(store.download(offloaded.get("Result"))).isEqualTo("r".repeat(40_000));
    }

    @Test
    void aWrapperWhoseBlobIsMissingOrCorruptIsNotHandedOutAndStaysInItsQueue() {
        QueueClient client = StorageTestSupport.queues().getQueueClient("storetesthub-wrappers");
        client.createIfNotExists();
        TaskHubQueue queue = new TaskHubQueue("storetesthub-wrappers", client, store,
                StorageTestSupport.queues().getQueueClient("storetesthub-wrappers-poison"), 20, false);
        container.getBlobClient("w/corrupt.json.gz").upload(BinaryData.fromString("not gzip"), true);
        queue.send(MessageCodec.encode(TaskHubQueue.wrapper("w/missing.json.gz")), null);
        queue.send(MessageCodec.encode(TaskHubQueue.wrapper("w/corrupt.json.gz")), null);

        assertThat(queue.receive(32, Duration.ofSeconds(30))).isEmpty();
        assertThat(StorageTestSupport.messageCount("storetesthub-wrappers")).isEqualTo(2);

        // A good wrapper is resolved into the full message.
        MessageData full = TaskHubQueue.envelope(new TaskMessage(new EventRaisedEvent(-1, false, Instant.parse("2024-01-01T00:00:00.1234567Z"), "e",
                "\"" + "p".repeat(60_000) + "\"", null), new OrchestrationInstance("w-good", null)), null,
                new OrchestrationInstance("", ""));
        TaskHubQueue.Encoded encoded = TaskHubQueue.encode(full, store);
        assertThat(encoded.blobName()).isEqualTo(LargePayloadStore.messageBlobName("w-good", full.activityId(),
                EventType.EventRaised));
        assertThat(encoded.json()).doesNotContain("ppp");
        queue.send(encoded.json(), null);
        assertThat(queue.receive(32, Duration.ofSeconds(30))).singleElement()
                .satisfies(m -> assertThat(m.data()).isEqualTo(full));
    }
}
