package io.github.durablefunctions.azurestorage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import io.github.durablefunctions.azurestorage.azurite.Azurite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * The three storage service clients of one account, built once from a connection string over one shared JDK HTTP
 * client. {@code UseDevelopmentStorage=true} is mapped to
 * {@link Azurite#DEVELOPMENT_STORAGE_CONNECTION_STRING} (Azurite on 127.0.0.1:10000/10001/10002).
 * Queue messages are sent and received as plain text (no Base64; storage-layout.md §6.1). Calls have bounded
 * timeouts (connect 10 s, response 15 s, queue and blob calls at most 4 tries of 60 s, with 1-15 s exponential
 * back-off between them; table calls keep the SDK's 3 retries). Every request each client
 * sends (each retry too) is counted per service and per kind of operation: {@link #transactions()}.
 */
final class StorageClients {
    /*
     * Bounded waits: a storage call that gets no answer (a half-closed connection, a storage node restarting) fails
     * after RESPONSE_TIMEOUT and is retried, instead of holding a worker thread for the SDK defaults' 60 s per try
     * times four tries. Storage answers in milliseconds when it is up; these are only the ceiling.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(15);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** Queue and blob calls: tries (first one included) and the limit of one try. */
    static final int MAX_TRIES = 4;
    static final Duration TRY_TIMEOUT = Duration.ofSeconds(60);

    private final QueueServiceClient queues;
    private final TableServiceClient tables;
    private final BlobServiceClient blobs;
    private final AtomicLong queueRequests = new AtomicLong();
    private final AtomicLong tableRequests = new AtomicLong();
    private final AtomicLong blobRequests = new AtomicLong();
    private final ConcurrentHashMap<String, LongAdder> byKind = new ConcurrentHashMap<>();

    StorageClients(String connectionString) {
        String resolved = resolveConnectionString(connectionString);
        HttpClient http = new JdkHttpClientBuilder().connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT).readTimeout(READ_TIMEOUT).writeTimeout(READ_TIMEOUT).build();
        RequestRetryOptions storageRetries = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, MAX_TRIES,
                TRY_TIMEOUT, Duration.ofSeconds(1), Duration.ofSeconds(15), null);
        try {
            this.queues = new QueueServiceClientBuilder().connectionString(resolved).httpClient(http)
                    .messageEncoding(QueueMessageEncoding.NONE).retryOptions(storageRetries)
                    .addPolicy(new Counting(queueRequests, StorageOperationKind::queue)).buildClient();
            this.tables = new TableServiceClientBuilder().connectionString(resolved).httpClient(http)
                    .addPolicy(new Counting(tableRequests, StorageOperationKind::table))
                    .addPolicy(new BatchEtagCapture()).buildClient();
            this.blobs = new BlobServiceClientBuilder().connectionString(resolved).httpClient(http)
                    .retryOptions(storageRetries).addPolicy(new Counting(blobRequests, StorageOperationKind::blob))
                    .buildClient();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The storage connection string is not valid: " + e.getMessage()
                    + " (expected 'UseDevelopmentStorage=true' or 'DefaultEndpointsProtocol=...;AccountName=...;"
                    + "AccountKey=...')", e);
        }
    }

    /**
     * The connection string to hand to the SDK: {@code UseDevelopmentStorage=true} (any case, optionally followed by
     * other settings) becomes the explicit Azurite string; anything else is returned unchanged.
     *
     * @throws IllegalArgumentException if the string is blank
     */
    static String resolveConnectionString(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException("A storage connection string is required");
        }
        for (String part : connectionString.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("UseDevelopmentStorage")
                    && kv[1].trim().toLowerCase(Locale.ROOT).equals("true")) {
                return Azurite.DEVELOPMENT_STORAGE_CONNECTION_STRING;
            }
        }
        return connectionString.trim();
    }

    QueueServiceClient queues() {
        return queues;
    }

    TableServiceClient tables() {
        return tables;
    }

    BlobServiceClient blobs() {
        return blobs;
    }

    /** The requests sent so far, per service. */
    StorageTransactionCount transactions() {
        Map<String, Long> kinds = new TreeMap<>();
        byKind.forEach((kind, count) -> kinds.put(kind, count.sum()));
        return new StorageTransactionCount(queueRequests.get(), tableRequests.get(), blobRequests.get(), kinds);
    }

    /**
     * The key of a {@link com.azure.core.util.Context} value of type {@link BatchEtags}: a table transaction sent with
     * it reports the ETag of each of its sub-responses there ({@link BatchEtagCapture}).
     */
    static final String BATCH_ETAGS_KEY = "durablefunctions.batchEtags";

    /**
     * The ETags of the sub-responses of one table transaction, in the order of its actions (null for a sub-response
     * without one). The SDK (azure-data-tables 12.5) parses the status of each sub-response but not its headers, so
     * {@link BatchEtagCapture} reads them from the multipart response body.
     */
    static final class BatchEtags {
        private volatile List<String> etags = List.of();

        /** The ETags, in action order; empty if the response held none or was not seen. */
        List<String> etags() {
            return etags;
        }

        /** The ETag of the last sub-response (the sentinel of a history checkpoint), or null. */
        String last() {
            List<String> e = etags;
            return e.isEmpty() ? null : e.get(e.size() - 1);
        }
    }

    /**
     * Reads the sub-response ETags of a successful table transaction ({@code POST .../$batch}) sent with a
     * {@link BatchEtags} under {@link #BATCH_ETAGS_KEY} in its context: the response body is buffered, so the SDK
     * still parses it. Other requests pass untouched.
     */
    private static final class BatchEtagCapture implements HttpPipelinePolicy {
        private static boolean wanted(HttpPipelineCallContext context) {
            return context.getData(BATCH_ETAGS_KEY).orElse(null) instanceof BatchEtags
                    && context.getHttpRequest().getUrl().getPath().endsWith("$batch");
        }

        private static HttpResponse capture(HttpPipelineCallContext context, HttpResponse response) {
            if (response.getStatusCode() / 100 != 2) {
                return response;
            }
            HttpResponse buffered = response.buffer();
            BinaryData body = buffered.getBodyAsBinaryData();
            if (body != null) {
                ((BatchEtags) context.getData(BATCH_ETAGS_KEY).get()).etags = parseEtags(body.toString());
            }
            return buffered;
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            if (!wanted(context)) {
                return next.process();
            }
            return next.process().map(response -> capture(context, response));
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            if (!wanted(context)) {
                return next.processSync();
            }
            return capture(context, next.processSync());
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_CALL;
        }
    }

    /**
     * The ETag header of each sub-response of a multipart table transaction response, in order: each sub-response
     * starts with its status line ({@code HTTP/1.1 204 No Content}); its headers end at the first empty line.
     */
    static List<String> parseEtags(String body) {
        List<String> etags = new ArrayList<>();
        String[] lines = body.split("\r?\n", -1);
        boolean inHeaders = false;
        for (String line : lines) {
            if (line.startsWith("HTTP/1.1 ")) {
                etags.add(null);
                inHeaders = true;
            } else if (inHeaders && line.isEmpty()) {
                inHeaders = false;
            } else if (inHeaders && line.regionMatches(true, 0, "ETag:", 0, 5)) {
                etags.set(etags.size() - 1, line.substring(5).trim());
            }
        }
        return etags;
    }

    /**
     * Counts every attempt of a request, per service and per kind ({@link StorageOperationKind}); placed per retry, so
     * retries count as the transactions they are.
     */
    private final class Counting implements HttpPipelinePolicy {
        private final AtomicLong counter;
        private final Function<HttpRequest, String> kind;

        Counting(AtomicLong counter, Function<HttpRequest, String> kind) {
            this.counter = counter;
            this.kind = kind;
        }

        private void count(HttpPipelineCallContext context) {
            counter.incrementAndGet();
            byKind.computeIfAbsent(kind.apply(context.getHttpRequest()), k -> new LongAdder()).increment();
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            count(context);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            count(context);
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    }
}
