package io.github.durablefunctions.host.config;

import java.time.Duration;

/**
 * The {@code extensions.durableTask} settings of {@code host.json} that this host uses (api-and-http.md §4), with
 * their defaults applied.
 *
 * @param hubName                            the task hub name, {@code %AppSetting%} references resolved; default
 *                                           {@code TestHubName} (or {@code WEBSITE_SITE_NAME} without its
 *                                           non-alphanumeric characters, when that variable is set)
 * @param connectionName                     the name of the app setting that holds the storage connection string
 *                                           ({@code storageProvider.connectionName}, or its older alias
 *                                           {@code connectionStringName}); default {@code AzureWebJobsStorage}
 * @param partitionCount                     control queues, 1-16; default 4
 * @param controlQueueBatchSize              messages per control-queue poll, 1-32; default 32
 * @param controlQueueBufferThreshold        control-queue messages buffered in memory, 1-1000; default 256
 * @param controlQueueVisibilityTimeout      default 5 minutes
 * @param workItemQueueVisibilityTimeout     default 5 minutes
 * @param maxQueuePollingInterval            the longest pause between polls of an idle queue; default 30 seconds
 * @param maxDequeueCount                    how many times a queue message may be received before it is set aside as
 *                                           a poison message (moved to {@code <queue>-poison}, README "Poison
 *                                           messages"), 2-1000; default 20
 * @param maxConcurrentActivityFunctions     default 10 x processors
 * @param maxConcurrentOrchestratorFunctions default 10 x processors
 * @param maxEntityOperationBatchSize        the most entity operations run in one batch
 *                                           ({@code maxEntityOperationBatchSize}); default 5000 (the Dedicated/Premium
 *                                           plan value)
 * @param entityMessageReorderWindow         how long entities wait for a sender's earlier message, and how long an
 *                                           empty entity must be idle before clean-up removes it
 *                                           ({@code entityMessageReorderWindowInMinutes}, whole minutes, 0 or more);
 *                                           default 30 minutes
 */
public record DurableTaskOptions(String hubName, String connectionName, int partitionCount, int controlQueueBatchSize,
                                 int controlQueueBufferThreshold, Duration controlQueueVisibilityTimeout,
                                 Duration workItemQueueVisibilityTimeout, Duration maxQueuePollingInterval,
                                 int maxDequeueCount, int maxConcurrentActivityFunctions, int maxConcurrentOrchestratorFunctions,
                                 int maxEntityOperationBatchSize, Duration entityMessageReorderWindow) {

    /** The hub name Durable Functions uses when {@code hubName} and {@code WEBSITE_SITE_NAME} are not set. */
    public static final String DEFAULT_HUB_NAME = "TestHubName";
    /** The app setting that holds the storage connection unless {@code storageProvider.connectionName} says else. */
    public static final String DEFAULT_CONNECTION_NAME = "AzureWebJobsStorage";
    public static final int DEFAULT_PARTITION_COUNT = 4;
    public static final int DEFAULT_CONTROL_QUEUE_BATCH_SIZE = 32;
    public static final int DEFAULT_CONTROL_QUEUE_BUFFER_THRESHOLD = 256;
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_QUEUE_POLLING_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_DEQUEUE_COUNT = 20;
    public static final int DEFAULT_MAX_ENTITY_OPERATION_BATCH_SIZE = 5000;
    public static final int DEFAULT_ENTITY_MESSAGE_REORDER_WINDOW_MINUTES = 30;

    /** The default of both concurrency limits on a dedicated plan: 10 x available processors. */
    public static int defaultConcurrency() {
        return 10 * Runtime.getRuntime().availableProcessors();
    }
}
