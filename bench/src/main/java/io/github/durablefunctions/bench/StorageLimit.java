package io.github.durablefunctions.bench;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The limit: the raw transaction rate of this Azurite from a tight client loop, with as many threads as the worker
 * runs activities at once by default (10 × processors). Each thread repeats the mix of the backend's hot path on its
 * own queue and table partition: queue put, queue get, queue delete, a table batch writing 2 entities, a table point
 * read. Plain Azure SDK clients over the JDK HTTP client (as the backend uses), no retries counted apart.
 * After a 1 s warm-up the loop runs for the scale's {@code limitDuration}.
 */
public final class StorageLimit {
    /**
     * The fewest storage transactions one history event can cost: every event (an activity's scheduling, its result,
     * an external event, a signal) is one queue message, which is put once and deleted once. Everything else can be
     * batched away: receives take up to 32 messages, a history transaction holds up to 99 events, and one Instances
     * update serves a whole episode. (Without any batching an activity round trip, 2 events, costs 8: work-item
     * put/get/delete, control-queue put/get/delete, a history write and an Instances update,
     * peers-and-performance.md §2.7; measured with that floor of 4, every efficiency here would double.)
     */
    public static final int MIN_TRANSACTIONS_PER_EVENT = 2;
    static final String TABLE = "BenchLimit";

    private StorageLimit() {
    }

    /**
     * The measured limit.
     *
     * @param threads                 client threads
     * @param seconds                 measured duration
     * @param transactions            transactions completed in it
     * @param transactionsPerSecond   transactions / seconds
     * @param byKind                  per kind of the mix
     * @param minTransactionsPerEvent {@link #MIN_TRANSACTIONS_PER_EVENT}
     * @param eventsPerSecondBound    the events/s this rate allows at that cost: the denominator of efficiency
     */
    public record Result(int threads, double seconds, long transactions, double transactionsPerSecond,
                         Map<String, Long> byKind, int minTransactionsPerEvent, double eventsPerSecondBound) {
    }

    /** The default worker concurrency: {@code maxConcurrentActivityFunctions} = 10 × processors. */
    public static int defaultThreads() {
        return 10 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * Measures the raw rate.
     *
     * @throws Exception if a storage call fails
     */
    public static Result measure(String connectionString, int threads, Duration duration) throws Exception {
        HttpClient http = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofSeconds(15)).build();
        QueueServiceClient queues = new QueueServiceClientBuilder().connectionString(connectionString)
                .httpClient(http).messageEncoding(QueueMessageEncoding.NONE).buildClient();
        TableServiceClient tables = new TableServiceClientBuilder().connectionString(connectionString)
                .httpClient(http).buildClient();
        tables.createTableIfNotExists(TABLE);
        TableClient table = tables.getTableClient(TABLE);

        String[] kinds = {"queue.put", "queue.get", "queue.delete", "table.batch", "table.read"};
        LongAdder[] counts = new LongAdder[kinds.length];
        for (int k = 0; k < kinds.length; k++) {
            counts[k] = new LongAdder();
        }
        AtomicBoolean counting = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ready = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            QueueClient queue = queues.getQueueClient("bench-limit-" + t);
            queue.createIfNotExists();
            String partition = "t" + t;
            Thread worker = new Thread(() -> {
                ready.countDown();
                try {
                    long round = 0;
                    while (running.get()) {
                        queue.sendMessage("{\"round\":" + round + "}");
                        add(counting, counts[0]);
                        QueueMessageItem message = queue.receiveMessage();
                        add(counting, counts[1]);
                        if (message != null) {
                            queue.deleteMessage(message.getMessageId(), message.getPopReceipt());
                            add(counting, counts[2]);
                        }
                        List<TableTransactionAction> batch = List.of(
                                new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE,
                                        new TableEntity(partition, "r0").addProperty("Round", round)),
                                new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE,
                                        new TableEntity(partition, "r1").addProperty("Round", round)));
                        table.submitTransaction(batch);
                        add(counting, counts[3]);
                        table.getEntity(partition, "r0");
                        add(counting, counts[4]);
                        round++;
                    }
                } catch (Throwable e) {
                    failures.add(e);
                    running.set(false);
                }
            }, "storage-limit-" + t);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
        ready.await();
        Thread.sleep(1_000); // warm-up: connections opened, JIT compiled
        long start = System.nanoTime();
        counting.set(true);
        Thread.sleep(duration.toMillis());
        counting.set(false);
        long end = System.nanoTime();
        running.set(false);
        for (Thread worker : workers) {
            worker.join(30_000);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("The storage limit loop failed: " + failures.get(0), failures.get(0));
        }
        Map<String, Long> byKind = new TreeMap<>();
        long total = 0;
        for (int k = 0; k < kinds.length; k++) {
            byKind.put(kinds[k], counts[k].sum());
            total += counts[k].sum();
        }
        double seconds = (end - start) / 1e9;
        double rate = total / seconds;
        return new Result(threads, seconds, total, rate, byKind, MIN_TRANSACTIONS_PER_EVENT,
                rate / MIN_TRANSACTIONS_PER_EVENT);
    }

    private static void add(AtomicBoolean counting, LongAdder counter) {
        if (counting.get()) {
            counter.increment();
        }
    }
}
