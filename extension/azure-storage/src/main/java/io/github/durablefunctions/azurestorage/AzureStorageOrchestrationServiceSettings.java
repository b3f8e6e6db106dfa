package io.github.durablefunctions.azurestorage;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AzureStorageOrchestrationService}: the storage account, the task hub and the tuning of the
 * queue listeners. Names and defaults follow DTFx's {@code AzureStorageOrchestrationServiceSettings} and the Durable
 * Functions extension (storage-layout.md §10). Immutable; create with {@link #builder(String, String)}.
 */
public final class AzureStorageOrchestrationServiceSettings {
    /** Fewest characters of a task hub name (storage-layout.md §1.1). */
    public static final int MIN_TASK_HUB_NAME_LENGTH = 3;
    /** Most characters of a task hub name (storage-layout.md §1.1). */
    public static final int MAX_TASK_HUB_NAME_LENGTH = 45;
    /** Most control queues a task hub can have. */
    public static final int MAX_PARTITION_COUNT = 16;
    /** Most messages one control-queue receive call can return (an Azure Queues limit). */
    public static final int MAX_CONTROL_QUEUE_BATCH_SIZE = 32;
    /** The default {@link #getMaxDequeueCount() maxDequeueCount}. */
    public static final int DEFAULT_MAX_DEQUEUE_COUNT = 20;
    /** Smallest {@code maxDequeueCount}: a message is always retried at least once. */
    public static final int MIN_MAX_DEQUEUE_COUNT = 2;
    /** Largest {@code maxDequeueCount}. */
    public static final int MAX_MAX_DEQUEUE_COUNT = 1000;
    /** The default {@link #getExtendedSessionCacheEvents() extendedSessionCacheEvents}. */
    public static final int DEFAULT_EXTENDED_SESSION_CACHE_EVENTS = 200_000;

    private final String connectionString;
    private final String taskHubName;
    private final int partitionCount;
    private final String workerId;
    private final int controlQueueBatchSize;
    private final int controlQueueBufferThreshold;
    private final Duration controlQueueVisibilityTimeout;
    private final Duration workItemQueueVisibilityTimeout;
    private final Duration maxQueuePollingInterval;
    private final int maxDequeueCount;
    private final int extendedSessionCacheEvents;

    private AzureStorageOrchestrationServiceSettings(Builder b) {
        this.connectionString = b.connectionString;
        this.taskHubName = b.taskHubName;
        this.partitionCount = b.partitionCount;
        this.workerId = b.workerId;
        this.controlQueueBatchSize = b.controlQueueBatchSize;
        this.controlQueueBufferThreshold = b.controlQueueBufferThreshold;
        this.controlQueueVisibilityTimeout = b.controlQueueVisibilityTimeout;
        this.workItemQueueVisibilityTimeout = b.workItemQueueVisibilityTimeout;
        this.maxQueuePollingInterval = b.maxQueuePollingInterval;
        this.maxDequeueCount = b.maxDequeueCount;
        this.extendedSessionCacheEvents = b.extendedSessionCacheEvents;
    }

    /**
     * Starts building settings.
     *
     * @param connectionString an Azure Storage connection string ({@code DefaultEndpointsProtocol=...;AccountName=
     *                         ...;AccountKey=...} with optional {@code BlobEndpoint}/{@code QueueEndpoint}/
     *                         {@code TableEndpoint}), or {@code UseDevelopmentStorage=true} for Azurite on its
     *                         default ports
     * @param taskHubName      the task hub name: letters and digits only, starting with a letter, 3 to 45
     *                         characters (storage-layout.md §1.1)
     * @throws IllegalArgumentException if the connection string is empty or the hub name breaks a rule; the message
     *                                  names the rule
     */
    public static Builder builder(String connectionString, String taskHubName) {
        return new Builder(connectionString, taskHubName);
    }

    /**
     * Checks a task hub name as Durable Functions does: alphanumeric only, starts with a letter, 3 to 45 characters
     * (storage-layout.md §1.1).
     *
     * @throws IllegalArgumentException naming the broken rule and the name
     */
    public static void validateTaskHubName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A task hub name is required");
        }
        if (name.length() < MIN_TASK_HUB_NAME_LENGTH || name.length() > MAX_TASK_HUB_NAME_LENGTH) {
            throw new IllegalArgumentException("Task hub name '" + name + "' must be " + MIN_TASK_HUB_NAME_LENGTH
                    + " to " + MAX_TASK_HUB_NAME_LENGTH + " characters long, but has " + name.length());
        }
        if (!isAsciiLetter(name.charAt(0))) {
            throw new IllegalArgumentException("Task hub name '" + name + "' must start with a letter (a-z, A-Z)");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("Task hub name '" + name + "' may contain only letters and "
                        + "digits (a-z, A-Z, 0-9); '" + c + "' at position " + i + " is not allowed");
            }
        }
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The storage connection string as given (possibly {@code UseDevelopmentStorage=true}). */
    public String getConnectionString() {
        return connectionString;
    }

    /** The task hub name, as given (table names use it as is, queue and container names lower-cased). */
    public String getTaskHubName() {
        return taskHubName;
    }

    /** The number of control queues / partitions, 1..16; default 4. */
    public int getPartitionCount() {
        return partitionCount;
    }

    /** This worker's ID in the Partitions table ({@code CurrentOwner}); default {@code <hostname>-<pid>}. */
    public String getWorkerId() {
        return workerId;
    }

    /** Messages per control-queue receive call, 1..32; default 32. */
    public int getControlQueueBatchSize() {
        return controlQueueBatchSize;
    }

    /** Control-queue listeners pause while this many messages are buffered in the process; default 256. */
    public int getControlQueueBufferThreshold() {
        return controlQueueBufferThreshold;
    }

    /** How long a received control-queue message stays invisible to others; default 5 minutes. */
    public Duration getControlQueueVisibilityTimeout() {
        return controlQueueVisibilityTimeout;
    }

    /** How long a received activity message stays invisible to others (renewed while it runs); default 5 min. */
    public Duration getWorkItemQueueVisibilityTimeout() {
        return workItemQueueVisibilityTimeout;
    }

    /** The longest pause between polls of an idle queue; default 30 seconds. */
    public Duration getMaxQueuePollingInterval() {
        return maxQueuePollingInterval;
    }

    /**
     * How many times a queue message may be received before it is treated as a poison message, 2..1000; default
     * 20. A message received for the {@code maxDequeueCount}-th time that cannot be read, or whose earlier
     * deliveries all failed or were put back, is moved to the queue {@code <queue name>-poison} and, where it
     * belongs to an orchestration, that orchestration is failed (see {@link TaskHubQueue} and the README section
     * "Poison messages"). Before that, each failed delivery is put back with a back-off of
     * {@code min(2^dequeueCount, 600)} seconds (storage-layout.md §8.5).
     */
    public int getMaxDequeueCount() {
        return maxDequeueCount;
    }

    /**
     * How many history events the worker keeps in memory, over all instances, for extended sessions; default
     * {@value #DEFAULT_EXTENDED_SESSION_CACHE_EVENTS}; 0 turns the cache off. After a checkpoint the worker keeps
     * the instance's execution ID, history events and the sentinel's new ETag, so the instance's next episode replays
     * from memory instead of querying the History table (storage-layout.md §3.4). The cache is validated by the
     * checkpoint itself: its history write is conditional on the sentinel ETag, so if anyone else wrote the history
     * meanwhile (another worker, a purge or rewind from another process) the write fails, the entry is dropped and
     * the episode is retried from storage. Entries are dropped when a work item is abandoned or discarded, a
     * checkpoint fails, the orchestration finishes, its partition is released, or it is purged or rewound through
     * this service; beyond this many events the least recently used instances are dropped. Memory: roughly the size
     * of the cached events' payloads plus about 200 bytes per event.
     */
    public int getExtendedSessionCacheEvents() {
        return extendedSessionCacheEvents;
    }

    @Override
    public String toString() {
        return "AzureStorageOrchestrationServiceSettings{taskHubName=" + taskHubName + ", partitionCount="
                + partitionCount + ", workerId=" + workerId + ", controlQueueBatchSize=" + controlQueueBatchSize
                + ", controlQueueBufferThreshold=" + controlQueueBufferThreshold
                + ", controlQueueVisibilityTimeout=" + controlQueueVisibilityTimeout
                + ", workItemQueueVisibilityTimeout=" + workItemQueueVisibilityTimeout
                + ", maxQueuePollingInterval=" + maxQueuePollingInterval + ", maxDequeueCount=" + maxDequeueCount
                + ", extendedSessionCacheEvents=" + extendedSessionCacheEvents + "}";
    }

    /** Builder of {@link AzureStorageOrchestrationServiceSettings}. Each setter validates its argument. */
    public static final class Builder {
        private final String connectionString;
        private final String taskHubName;
        private int partitionCount = 4;
        private String workerId = defaultWorkerId();
        private int controlQueueBatchSize = MAX_CONTROL_QUEUE_BATCH_SIZE;
        private int controlQueueBufferThreshold = 256;
        private Duration controlQueueVisibilityTimeout = Duration.ofMinutes(5);
        private Duration workItemQueueVisibilityTimeout = Duration.ofMinutes(5);
        private Duration maxQueuePollingInterval = Duration.ofSeconds(30);
        private int maxDequeueCount = DEFAULT_MAX_DEQUEUE_COUNT;
        private int extendedSessionCacheEvents = DEFAULT_EXTENDED_SESSION_CACHE_EVENTS;

        private Builder(String connectionString, String taskHubName) {
            if (connectionString == null || connectionString.isBlank()) {
                throw new IllegalArgumentException("A storage connection string is required");
            }
            validateTaskHubName(taskHubName);
            this.connectionString = connectionString;
            this.taskHubName = taskHubName;
        }

        /**
         * The number of control queues, 1..16 (default 4). Changing it for an existing hub re-maps instances to
         * other queues (storage-layout.md §2).
         *
         * @throws IllegalArgumentException if outside 1..16
         */
        public Builder partitionCount(int value) {
            this.partitionCount = requireRange(value, 1, MAX_PARTITION_COUNT, "partitionCount");
            return this;
        }

        /**
         * This worker's ID in the Partitions table (default {@code <hostname>-<pid>}, so two processes on one
         * machine differ).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder workerId(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("workerId must not be blank");
            }
            this.workerId = value;
            return this;
        }

        /**
         * Messages per control-queue receive call, 1..32 (default 32).
         *
         * @throws IllegalArgumentException if outside 1..32
         */
        public Builder controlQueueBatchSize(int value) {
            this.controlQueueBatchSize = requireRange(value, 1, MAX_CONTROL_QUEUE_BATCH_SIZE,
                    "controlQueueBatchSize");
            return this;
        }

        /**
         * Buffered-message count at which control-queue listeners pause (default 256, the Durable Functions
         * default).
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder controlQueueBufferThreshold(int value) {
            this.controlQueueBufferThreshold = requireRange(value, 1, Integer.MAX_VALUE,
                    "controlQueueBufferThreshold");
            return this;
        }

        /**
         * Visibility timeout of received control-queue messages (default 5 min), at least 1 s and at most 7 days.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder controlQueueVisibilityTimeout(Duration value) {
            this.controlQueueVisibilityTimeout = requireVisibility(value, "controlQueueVisibilityTimeout");
            return this;
        }

        /**
         * Visibility timeout of received activity messages (default 5 min), at least 1 s and at most 7 days.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder workItemQueueVisibilityTimeout(Duration value) {
            this.workItemQueueVisibilityTimeout = requireVisibility(value, "workItemQueueVisibilityTimeout");
            return this;
        }

        /**
         * The longest pause between polls of an idle queue (default 30 s), at least 100 ms.
         *
         * @throws IllegalArgumentException if shorter than 100 ms
         */
        public Builder maxQueuePollingInterval(Duration value) {
            Objects.requireNonNull(value, "maxQueuePollingInterval");
            if (value.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("maxQueuePollingInterval must be at least 100 ms, was " + value);
            }
            this.maxQueuePollingInterval = value;
            return this;
        }

        /**
         * How many times a queue message may be received before it is set aside as a poison message, 2..1000
         * (default 20); see {@link AzureStorageOrchestrationServiceSettings#getMaxDequeueCount()}.
         *
         * @throws IllegalArgumentException if outside 2..1000
         */
        public Builder maxDequeueCount(int value) {
            this.maxDequeueCount = requireRange(value, MIN_MAX_DEQUEUE_COUNT, MAX_MAX_DEQUEUE_COUNT,
                    "maxDequeueCount");
            return this;
        }

        /**
         * How many history events extended sessions keep in memory over all instances (default
         * {@value AzureStorageOrchestrationServiceSettings#DEFAULT_EXTENDED_SESSION_CACHE_EVENTS}; 0 turns them
         * off); see {@link AzureStorageOrchestrationServiceSettings#getExtendedSessionCacheEvents()}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder extendedSessionCacheEvents(int value) {
            this.extendedSessionCacheEvents = requireRange(value, 0, Integer.MAX_VALUE, "extendedSessionCacheEvents");
            return this;
        }

        /** The settings. */
        public AzureStorageOrchestrationServiceSettings build() {
            return new AzureStorageOrchestrationServiceSettings(this);
        }

        private static int requireRange(int value, int min, int max, String what) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was "
                        + value);
            }
            return value;
        }

        private static Duration requireVisibility(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException(what + " must be between 1 second and 7 days, was " + value);
            }
            return value;
        }

        private static String defaultWorkerId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException | SecurityException e) {
                host = System.getenv().getOrDefault("HOSTNAME", "localhost");
            }
            long pid;
            try {
                pid = ProcessHandle.current().pid();
            } catch (UnsupportedOperationException e) {
                pid = Long.parseLong(ManagementFactory.getRuntimeMXBean().getName().split("@")[0]);
            }
            return host + "-" + pid;
        }
    }
}
