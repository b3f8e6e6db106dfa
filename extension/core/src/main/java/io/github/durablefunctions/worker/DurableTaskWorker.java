package io.github.durablefunctions.worker;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.replay.OrchestrationExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Runs registered orchestrators, entities and activities against a backend: one loop takes orchestration work items
 * and replays them through the {@link io.github.durablefunctions.replay.OrchestrationExecutor} (or, for entities,
 * runs a batch of operations through the {@link io.github.durablefunctions.entities.EntityExecutor}), another takes
 * activity work items and invokes activities. Concurrency is bounded by {@code maxConcurrentOrchestratorFunctions} and
 * {@code maxConcurrentActivityFunctions} (host.json, api-and-http.md §4).
 *
 * <p>Function names are matched case-insensitively, as Azure Functions names are.
 */
public final class DurableTaskWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableTaskWorker.class);

    private final OrchestrationService service;
    private final OrchestrationDispatcher orchestrationDispatcher;
    private final ActivityDispatcher activityDispatcher;
    private boolean started;

    private DurableTaskWorker(Builder b) {
        this.service = Objects.requireNonNull(b.service, "service");
        this.orchestrationDispatcher = new OrchestrationDispatcher(service, b.orchestrators, b.entities,
                b.dataConverter, b.maxConcurrentOrchestratorFunctions, b.maxTimerInterval, b.timerPieceLength,
                b.entityMessageReorderWindow, b.maxEntityOperationBatchSize, b.clock);
        this.activityDispatcher = new ActivityDispatcher(service, b.activities, b.dataConverter,
                b.maxConcurrentActivityFunctions, b.clock);
    }

    /** A builder for a worker. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the backend (creating the task hub if needed) and both dispatch loops. Idempotent. */
    public synchronized void start() {
        if (started) {
            return;
        }
        service.start();
        orchestrationDispatcher.start();
        activityDispatcher.start();
        started = true;
        log.info("Durable task worker started: {} orchestrator(s), {} entity(ies), {} activity(ies)",
                orchestrationDispatcher.orchestratorCount(), orchestrationDispatcher.entityCount(),
                activityDispatcher.activityCount());
    }

    /**
     * Stops taking new work, waits up to {@code gracePeriod} for running functions to finish, then stops the
     * backend. Work not finished by then is not lost: its messages become visible again and are re-processed.
     */
    public synchronized void stop(Duration gracePeriod) {
        if (!started) {
            return;
        }
        long deadline = System.nanoTime() + gracePeriod.toNanos();
        orchestrationDispatcher.stopPolling();
        activityDispatcher.stopPolling();
        orchestrationDispatcher.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        activityDispatcher.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        service.stop();
        started = false;
        log.info("Durable task worker stopped");
    }

    /** Stops with a 30-second grace period and closes the backend. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
        orchestrationDispatcher.shutdownNow();
        activityDispatcher.shutdownNow();
        service.close();
    }

    /** Builder for {@link DurableTaskWorker}. */
    public static final class Builder {
        private OrchestrationService service;
        private DataConverter dataConverter = new JacksonDataConverter();
        private final Map<String, OrchestratorFunction<?>> orchestrators =
                new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Map<String, TaskActivity> activities = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Map<String, TaskEntityFactory> entities = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private Duration entityMessageReorderWindow = MessageSorter.DEFAULT_REORDER_WINDOW;
        private int maxEntityOperationBatchSize = OrchestrationDispatcher.DEFAULT_MAX_ENTITY_BATCH_SIZE;
        private int maxConcurrentOrchestratorFunctions = 10 * Runtime.getRuntime().availableProcessors();
        private int maxConcurrentActivityFunctions = 10 * Runtime.getRuntime().availableProcessors();
        private Duration maxTimerInterval = OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL;
        private Duration timerPieceLength = OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The backend to take work from. Required. */
        public Builder service(OrchestrationService service) {
            this.service = service;
            return this;
        }

        /**
         * The source of the current time for history timestamps: each episode's {@code OrchestratorStarted} time
         * (what orchestrations read as {@code getCurrentInstant()} and the base of their timers), the times of
         * entity batches, and activity responses. Default {@link Clock#systemUTC()}; tests pass a virtual clock
         * (e.g. the testing module's {@code VirtualClock}) to move time without waiting.
         *
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The converter for inputs, outputs and results; default {@link JacksonDataConverter}. */
        public Builder dataConverter(DataConverter dataConverter) {
            this.dataConverter = Objects.requireNonNull(dataConverter);
            return this;
        }

        /**
         * Registers an orchestrator.
         *
         * @throws IllegalArgumentException if an orchestrator with that name (ignoring case) is registered already
         */
        public Builder addOrchestrator(String name, OrchestratorFunction<?> orchestrator) {
            if (orchestrators.putIfAbsent(requireName(name), Objects.requireNonNull(orchestrator)) != null) {
                throw new IllegalArgumentException("An orchestrator named '" + name + "' is already registered");
            }
            return this;
        }

        /**
         * Registers an activity.
         *
         * @throws IllegalArgumentException if an activity with that name (ignoring case) is registered already
         */
        public Builder addActivity(String name, TaskActivity activity) {
            if (activities.putIfAbsent(requireName(name), Objects.requireNonNull(activity)) != null) {
                throw new IllegalArgumentException("An activity named '" + name + "' is already registered");
            }
            return this;
        }

        /**
         * Registers an entity: {@code factory} creates the {@link TaskEntity} that runs each operation. Entity names
         * are case-insensitive ({@link io.github.durablefunctions.EntityInstanceId} lower-cases them).
         *
         * @throws IllegalArgumentException if an entity with that name is registered already, or the name contains
         *                                  {@code @}
         */
        public Builder addEntity(String name, TaskEntityFactory factory) {
            if (requireName(name).indexOf('@') >= 0) {
                throw new IllegalArgumentException("An entity name must not contain '@': '" + name + "'");
            }
            if (entities.putIfAbsent(name, Objects.requireNonNull(factory)) != null) {
                throw new IllegalArgumentException("An entity named '" + name + "' is already registered");
            }
            return this;
        }

        /**
         * How long entities wait for an earlier message of the same sender to arrive before delivering a later one
         * ({@code entityMessageReorderWindowInMinutes}, default 30 minutes); zero turns ordering off.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder entityMessageReorderWindow(Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("The entity message reorder window must not be negative");
            }
            this.entityMessageReorderWindow = window;
            return this;
        }

        /** The most entity operations run in one batch ({@code maxEntityOperationBatchSize}, default 5000). */
        public Builder maxEntityOperationBatchSize(int value) {
            this.maxEntityOperationBatchSize = requirePositive(value, "maxEntityOperationBatchSize");
            return this;
        }

        /** How many orchestrator episodes run at once; default 10 × processors. Must be ≥ 1. */
        public Builder maxConcurrentOrchestratorFunctions(int value) {
            this.maxConcurrentOrchestratorFunctions = requirePositive(value, "maxConcurrentOrchestratorFunctions");
            return this;
        }

        /** How many activities run at once; default 10 × processors. Must be ≥ 1. */
        public Builder maxConcurrentActivityFunctions(int value) {
            this.maxConcurrentActivityFunctions = requirePositive(value, "maxConcurrentActivityFunctions");
            return this;
        }

        /**
         * The longest single durable timer, and the length of each piece of a longer one: a timer due further away
         * than {@code max} is created as a chain of timers of {@code piece} each, the last one firing at the requested
         * time. The default is 6 days / 3 days, the Durable Functions values for Azure Storage, whose queue messages
         * stay invisible for at most 7 days (storage-layout.md §8.6). Change it for a backend with other limits, or
         * in tests to exercise timer chaining in seconds.
         *
         * @param max   the longest single timer
         * @param piece the length of each piece of a chained timer
         * @throws IllegalArgumentException unless {@code 0 < piece <= max}
         */
        public Builder maximumTimerInterval(Duration max, Duration piece) {
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(piece, "piece");
            if (piece.isZero() || piece.isNegative() || piece.compareTo(max) > 0) {
                throw new IllegalArgumentException("The timer piece length (" + piece + ") must be positive and at "
                        + "most the maximum timer interval (" + max + ")");
            }
            this.maxTimerInterval = max;
            this.timerPieceLength = piece;
            return this;
        }

        public DurableTaskWorker build() {
            return new DurableTaskWorker(this);
        }

        private static String requireName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("A function name must not be empty");
            }
            return name;
        }

        private static int requirePositive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, was " + value);
            }
            return value;
        }
    }
}
