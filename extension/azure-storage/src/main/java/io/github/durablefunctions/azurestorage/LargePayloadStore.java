package io.github.durablefunctions.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.ExecutionStartedEvent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code {h}-largemessages} blob container of a task hub, where payloads too large for a queue message or a table
 * property are kept (storage-layout.md §7). Each blob is the payload's UTF-8 text, gzipped (standard RFC 1952 gzip).
 * The container is created the first time a blob is uploaded (and again if it was deleted meanwhile).
 *
 * <p>Blob names (container-relative):
 * <ul>
 *   <li>queue messages (§7.1): {@code {instanceId}/message-{ActivityId:N}-{EventType}.json.gz}, where
 *       {@code instanceId} is the raw (unescaped) ID of the message's target instance, {@code ActivityId:N} the
 *       envelope's GUID as 32 lowercase hex digits and {@code EventType} the enum name, e.g.
 *       {@code abc/message-0c2f...e1-ExecutionStarted.json.gz}; see {@link #messageBlobName};</li>
 *   <li>table properties (§7.2): {@code {PartitionKey}/history-{RowKey}-{EventType}-{R:X8}-{Property}.json.gz},
 *       where {@code PartitionKey} is the escaped instance ID, {@code R} a random non-negative int as 8 uppercase hex
 *       digits, and {@code EventType} the row's {@code EventType} column or, for a row without one (an Instances
 *       row), the property name ({@code Input}, {@code Output}, {@code Tags}); see {@link #propertyBlobName}.</li>
 * </ul>
 *
 * <p>Blob references in table columns take two forms: a history row (and an Instances row's {@code Tags}) keeps the
 * blob <em>name</em> in a {@code <Prop>BlobName} column with {@code <Prop>} set to {@code ""}; an Instances row's
 * {@code Input} and {@code Output} hold the absolute blob <em>URL</em> ({@link #url}): the container URL, {@code /},
 * then the blob name with each {@code /}-separated segment escaped like .NET's {@code Uri.EscapeDataString}
 * (everything but {@code A-Z a-z 0-9 - . _ ~} percent-encoded as UTF-8, uppercase hex).
 *
 * <p>When a column value is a blob URL ({@link #blobNameOfUrl}): DTFx tests {@code Uri.IsWellFormedUriString(value,
 * Absolute)}; this reader asks for more, so that no value of ours is mistaken for one. The value must parse as an
 * absolute {@code http}/{@code https} URI (no spaces, quotes, braces), start with this container's URL and
 * {@code /} (scheme and host compared ignoring case), and end with {@code .json.gz}. Inputs, outputs and results are
 * JSON texts: a JSON string is written with its quotes ({@code "http://..."}), which a URI cannot contain, and no
 * other JSON text starts with a scheme; custom statuses and tags are JSON too. Free-text columns (a suspend reason,
 * {@code "ErrorType: message"}) would have to be exactly a URL into this task hub's own container to be taken for a
 * reference.
 *
 * <p>Thread-safe.
 */
final class LargePayloadStore {
    /** A queue message whose JSON is larger than this many UTF-8 bytes is offloaded (§7.1): 45 KiB. */
    static final int MAX_MESSAGE_BYTES = 45 * 1024;
    /** A table property whose UTF-16 byte count is larger than this is offloaded (§7.2): 60 KiB. */
    static final int MAX_PROPERTY_BYTES = 60 * 1024;
    /** The table properties that are offloaded when too large (§7.2), in DTFx's order. */
    static final List<String> OFFLOADED_PROPERTIES = List.of("Name", "Input", "Result", "Output", "Reason",
            "Details", "Correlation", "FailureDetails", "Tags");
    /** The suffix of the column that names a property's blob, e.g. {@code InputBlobName} (§7.2). */
    static final String BLOB_NAME_SUFFIX = "BlobName";
    /** The ending of every blob name. */
    static final String BLOB_NAME_ENDING = ".json.gz";
    /** The ending of the blob of an offloaded ExecutionStarted message, which an Instances row may point at. */
    static final String EXECUTION_STARTED_MESSAGE_ENDING = "-" + EventType.ExecutionStarted.name() + BLOB_NAME_ENDING;

    private final BlobContainerClient container;
    private final String containerUrl;
    private volatile boolean containerCreated;

    LargePayloadStore(BlobContainerClient container) {
        this.container = container;
        String url = container.getBlobContainerUrl();
        this.containerUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The container's name, {@code {h}-largemessages}. */
    String containerName() {
        return container.getBlobContainerName();
    }

    /** The container's absolute URL without a trailing slash, e.g. {@code http://127.0.0.1:10000/acct/h-largemessages}. */
    String containerUrl() {
        return containerUrl;
    }

    BlobContainerClient container() {
        return container;
    }

    // ------------------------------------------------------------------------------------------------- names

    /**
     * The blob name of an offloaded queue message (§7.1):
     * {@code {instanceId}/message-{activityId as 32 lowercase hex digits}-{eventType}.json.gz}.
     *
     * @param instanceId the raw ID of the message's target instance
     */
    static String messageBlobName(String instanceId, UUID activityId, EventType eventType) {
        return instanceId + "/message-" + activityId.toString().replace("-", "") + "-" + eventType.name()
                + BLOB_NAME_ENDING;
    }

    /**
     * A new blob name for an offloaded table property (§7.2):
     * {@code {partitionKey}/history-{rowKey}-{eventType}-{random as 8 uppercase hex digits}-{property}.json.gz}.
     *
     * @param eventType the row's {@code EventType}, or null for a row without one: then the property name is used
     */
    static String propertyBlobName(String partitionKey, String rowKey, String eventType, String property) {
        int random = ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);
        return partitionKey + "/history-" + rowKey + "-" + (eventType == null ? property : eventType) + "-"
                + String.format(Locale.ROOT, "%08X", random) + "-" + property + BLOB_NAME_ENDING;
    }

    /** True if a serialized queue message is larger than {@value #MAX_MESSAGE_BYTES} UTF-8 bytes (§7.1). */
    static boolean exceedsMessageLimit(String json) {
        // Each char is at most 3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 chars): skip counting when it can't be.
        if ((long) json.length() * 3 <= MAX_MESSAGE_BYTES) {
            return false;
        }
        return json.length() > MAX_MESSAGE_BYTES || utf8Length(json) > MAX_MESSAGE_BYTES;
    }

    /** True if a table property value is larger than {@value #MAX_PROPERTY_BYTES} bytes of UTF-16 (§7.2). */
    static boolean exceedsPropertyLimit(String value) {
        return value != null && (long) value.length() * 2 > MAX_PROPERTY_BYTES;
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------- blob access

    /**
     * Gzips {@code text} (UTF-8) and uploads it as {@code blobName}, replacing a blob of that name. Creates the
     * container first if this store has not done so yet, or if the service says it is missing.
     *
     * @throws BlobStorageException on a storage error
     */
    void upload(String blobName, String text) {
        BinaryData data = BinaryData.fromBytes(gzip(text));
        if (!containerCreated) {
            createContainer();
        }
        try {
            container.getBlobClient(blobName).upload(data, true);
        } catch (BlobStorageException e) {
            if (!BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
                throw e;
            }
            createContainer(); // deleted behind our back
            container.getBlobClient(blobName).upload(data, true);
        }
    }

    private synchronized void createContainer() {
        container.createIfNotExists();
        containerCreated = true;
    }

    /**
     * Downloads a blob and gunzips it into text (UTF-8).
     *
     * @throws IllegalStateException if the blob (or the container) does not exist, or is not valid gzip; the message
     *                               names the blob
     * @throws BlobStorageException  on other storage errors
     */
    String download(String blobName) {
        byte[] bytes;
        try {
            bytes = container.getBlobClient(blobName).downloadContent().toBytes();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                throw new IllegalStateException("The large payload blob '" + containerName() + "/" + blobName
                        + "' does not exist (" + e.getErrorCode() + ")", e);
            }
            throw e;
        }
        try {
            return gunzip(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("The large payload blob '" + containerName() + "/" + blobName
                    + "' is not valid gzip: " + e.getMessage(), e);
        }
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, text.length() / 2));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from an in-memory stream
        }
        return out.toByteArray();
    }

    static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 64 * 1024)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------------------- URLs

    /**
     * The absolute URL of a blob: the container URL, {@code /}, and the blob name with each {@code /}-separated
     * segment escaped like {@code Uri.EscapeDataString} (§7.2).
     */
    String url(String blobName) {
        StringBuilder sb = new StringBuilder(containerUrl.length() + blobName.length() + 16).append(containerUrl);
        for (String segment : blobName.split("/", -1)) {
            sb.append('/');
            escapeDataString(segment, sb);
        }
        return sb.toString();
    }

    /**
     * The blob name a column value refers to, if it is a URL of a blob in this container (see the class comment for
     * the exact rule); null for any other value.
     */
    String blobNameOfUrl(String value) {
        if (value == null || value.length() <= containerUrl.length() + 1 + BLOB_NAME_ENDING.length()
                || !value.regionMatches(true, 0, containerUrl, 0, containerUrl.length())
                || value.charAt(containerUrl.length()) != '/' || !value.endsWith(BLOB_NAME_ENDING)) {
            return null;
        }
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return null;
            }
        } catch (URISyntaxException e) {
            return null;
        }
        return percentDecode(value.substring(containerUrl.length() + 1));
    }

    /** True if {@link #blobNameOfUrl} finds a blob reference in the value. */
    boolean isBlobUrl(String value) {
        return blobNameOfUrl(value) != null;
    }

    /**
     * The payload a blob URL refers to: the blob's text, except for the blob of an offloaded ExecutionStarted
     * message (a name ending with {@code ExecutionStarted.json.gz}, written into the Instances row's {@code Input} at
     * client create, §7.2), which is parsed as MessageData and gives its event's Input.
     *
     * @throws IllegalArgumentException if {@code url} is not a blob URL of this container
     * @throws IllegalStateException    if the blob is missing or unreadable
     */
    String resolveUrl(String url) {
        String blobName = blobNameOfUrl(url);
        if (blobName == null) {
            throw new IllegalArgumentException("Not a blob URL of container " + containerName() + ": " + url);
        }
        String text = download(blobName);
        if (!blobName.endsWith(EXECUTION_STARTED_MESSAGE_ENDING)) {
            return text;
        }
        MessageData message;
        try {
            message = MessageCodec.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The large message blob '" + containerName() + "/" + blobName
                    + "' is not a readable message: " + e.getMessage(), e);
        }
        if (message.taskMessage() == null || !(message.taskMessage().event() instanceof ExecutionStartedEvent s)) {
            throw new IllegalStateException("The large message blob '" + containerName() + "/" + blobName
                    + "' does not hold an ExecutionStarted message");
        }
        return s.input();
    }

    /**
     * The value of a column that may be offloaded: the text of its {@code <column>BlobName} blob when the column
     * itself is empty or missing and that column names a blob; the payload of a blob URL ({@link #resolveUrl}); else
     * the value as it is (null if missing). A blob-name column is only followed when the column is empty, so that a
     * stale one left by an earlier merge is ignored.
     */
    String resolveColumn(Map<String, Object> properties, String column) {
        Object raw = properties.get(column);
        String value = raw == null ? null : raw.toString();
        if (value == null || value.isEmpty()) {
            Object blobName = properties.get(column + BLOB_NAME_SUFFIX);
            if (blobName instanceof String name && !name.isEmpty()) {
                return download(name);
            }
            return value;
        }
        return isBlobUrl(value) ? resolveUrl(value) : value;
    }

    // ------------------------------------------------------------------------------------------ table rows

    /**
     * Offloads the row's properties that are too large for a table (§7.2): each of {@link #OFFLOADED_PROPERTIES}
     * whose string value is over {@value #MAX_PROPERTY_BYTES} UTF-16 bytes is uploaded as
     * {@link #propertyBlobName} (with the row's {@code EventType}, if it has one), set to {@code ""}, and named in a
     * new {@code <Prop>BlobName} column.
     *
     * @return the blob name of each offloaded property, by property name; empty if none was too large
     */
    Map<String, String> offloadLargeProperties(TableEntity row) {
        Map<String, String> offloaded = null;
        Object eventType = row.getProperty("EventType");
        for (String property : OFFLOADED_PROPERTIES) {
            if (row.getProperty(property) instanceof String value && exceedsPropertyLimit(value)) {
                String blobName = propertyBlobName(row.getPartitionKey(), row.getRowKey(),
                        eventType instanceof String t ? t : null, property);
                upload(blobName, value);
                row.addProperty(property, "");
                row.addProperty(property + BLOB_NAME_SUFFIX, blobName);
                if (offloaded == null) {
                    offloaded = new LinkedHashMap<>();
                }
                offloaded.put(property, blobName);
            }
        }
        return offloaded == null ? Map.of() : offloaded;
    }

    /**
     * The value to store in an Instances row's {@code Input} or {@code Output} column (§7.2): the value itself when it
     * fits; else the URL of {@code historyBlobName} (the blob the same value was offloaded to from its history row),
     * or, without one, of a new blob {@code {partitionKey}/history--{column}-{R:X8}-{column}.json.gz}.
     *
     * @param historyBlobName the blob holding the same value, or null
     */
    String instanceColumnValue(String partitionKey, String column, String value, String historyBlobName) {
        if (!exceedsPropertyLimit(value)) {
            return value;
        }
        if (historyBlobName != null) {
            return url(historyBlobName);
        }
        String blobName = propertyBlobName(partitionKey, "", null, column);
        upload(blobName, value);
        return url(blobName);
    }

    // -------------------------------------------------------------------------------------------- escaping

    /** Appends {@code segment} escaped as {@code Uri.EscapeDataString} does (RFC 3986 unreserved kept). */
    static void escapeDataString(String segment, StringBuilder out) {
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
    }

    /** Decodes {@code %XX} escapes (UTF-8); other characters, {@code +} included, are kept. */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    b = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
