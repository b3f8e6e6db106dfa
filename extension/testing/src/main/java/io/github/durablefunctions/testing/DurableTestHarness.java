package io.github.durablefunctions.testing;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.host.FunctionRegistry;
import io.github.durablefunctions.host.HostStartupException;
import io.github.durablefunctions.host.app.AnnotatedFunctions;
import io.github.durablefunctions.host.app.FunctionApp;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.invoke.ActivityFunctionAdapter;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import io.github.durablefunctions.host.invoke.EntityFunctionAdapter;
import io.github.durablefunctions.host.invoke.OrchestratorFunctionAdapter;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * Runs durable functions in memory for tests: the user's annotated function classes (and/or lambdas) on the core
 * worker over an {@link InMemoryOrchestrationService} with a {@link VirtualClock}, no storage, no host process.
 *
 * <pre>{@code
 * @RegisterExtension
 * DurableTestHarness harness = DurableTestHarness.builder()
 *         .functions(Approval.class)
 *         .replaceActivity("RequestApproval", ctx -> null)      // a stub instead of the real activity
 *         .build();
 *
 * @Test
 * void escalatesWhenNobodyAnswers() {
 *     String id = harness.client().scheduleNewOrchestrationInstance("ApprovalWorkflow", request);
 *     OrchestrationMetadata done = harness.waitForCompletion(id);  // the 72 h timeout fires at once
 *     assertThat(done.readOutputAs(ApprovalResult.class).outcome()).isEqualTo("Escalated");
 * }
 * }</pre>
 *
 * <p>Time is virtual and moves only while the test waits for completion ({@link #waitForCompletion}) or advances it
 * ({@link #advanceTime}): whenever nothing else can run, the clock jumps to the next durable timer (or scheduled start
 * or scheduled entity signal) and fires it. {@link #waitForIdle()} lets everything that can run finish without moving
 * time, e.g. to raise an event while an orchestration waits for it. Orchestrations see the virtual time in
 * {@code getCurrentInstant()}.
 *
 * <p>As a JUnit 5 extension ({@code @RegisterExtension} on an instance field) it starts before each test and closes
 * after it, so every test gets an empty task hub at {@link Builder#startTime}. Outside JUnit, call {@link #start()} and
 * {@link #close()}. Waits are bounded by {@link Builder#realTimeout} of real time (default 30 s), after which they throw
 * {@link IllegalStateException} naming what did not finish.
 */
public final class DurableTestHarness implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    /** The virtual time every harness starts at unless told otherwise: 2030-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START_TIME = Instant.parse("2030-01-01T00:00:00Z");

    private final List<Class<?>> functionClasses;
    private final Map<String, OrchestratorFunction<?>> orchestrators;
    private final Map<String, TaskActivity> activities;
    private final Map<String, TaskEntityFactory> entities;
    private final DataConverter dataConverter;
    private final Instant startTime;
    private final Duration realTimeout;

    private VirtualClock clock;
    private InMemoryOrchestrationService service;
    private BackendDurableTaskClient client;
    private DurableTaskWorker worker;
    private FunctionApp app;

    private DurableTestHarness(Builder b) {
        this.functionClasses = List.copyOf(b.functionClasses);
        this.orchestrators = ignoringCase(b.orchestrators);
        this.activities = ignoringCase(b.activities);
        this.entities = ignoringCase(b.entities);
        this.dataConverter = b.dataConverter;
        this.startTime = b.startTime;
        this.realTimeout = b.realTimeout;
    }

    /** Function names are case-insensitive, as the worker treats them: a replacement matches ignoring case. */
    private static <V> Map<String, V> ignoringCase(Map<String, V> values) {
        TreeMap<String, V> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(values);
        return Collections.unmodifiableMap(map);
    }

    /** Starts describing a harness. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the harness: a new empty in-memory task hub at the start time, and a worker running the registered
     * functions. Lambdas and {@linkplain Builder#replaceActivity replacements} win over annotated functions of the
     * same name.
     *
     * @throws IllegalStateException    if it is running already
     * @throws IllegalArgumentException if an annotated function cannot be bound (the message names it), or two
     *                                  functions define the same orchestrator, activity or entity name
     */
    public synchronized DurableTestHarness start() {
        if (worker != null) {
            throw new IllegalStateException("The harness is running already");
        }
        clock = new VirtualClock(startTime);
        service = new InMemoryOrchestrationService(clock);
        client = new BackendDurableTaskClient(service, dataConverter, MessageSorter.DEFAULT_REORDER_WINDOW, clock);
        DurableTaskWorker.Builder builder = DurableTaskWorker.builder().service(service).clock(clock)
                .dataConverter(dataConverter);
        if (!functionClasses.isEmpty()) {
            app = AnnotatedFunctions.app(functionClasses.toArray(Class<?>[]::new));
            FunctionRegistry registry;
            try {
                registry = FunctionRegistry.build(app, dataConverter, new DurableClientFactory(client, "TestHub",
                        new AppSettings(Map.of(), Map.of(), null)));
            } catch (HostStartupException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (!registry.skipped().isEmpty()) {
                throw new IllegalArgumentException("Functions that cannot be bound: " + registry.skipped().stream()
                        .map(FunctionRegistry.Skipped::reason).toList());
            }
            registry.orchestrators().stream().filter(o -> !orchestrators.containsKey(o.name()))
                    .forEach(o -> builder.addOrchestrator(o.name(),
                            new OrchestratorFunctionAdapter(o.invoker())));
            registry.activities().stream().filter(a -> !activities.containsKey(a.name()))
                    .forEach(a -> builder.addActivity(a.name(),
                            new ActivityFunctionAdapter(a.invoker())));
            registry.entities().stream().filter(e -> !entities.containsKey(e.name()))
                    .forEach(e -> builder.addEntity(e.name(),
                            new EntityFunctionAdapter(e.invoker())));
        }
        orchestrators.forEach(builder::addOrchestrator);
        activities.forEach(builder::addActivity);
        entities.forEach(builder::addEntity);
        worker = builder.build();
        worker.start();
        return this;
    }

    /** Stops the worker and drops the in-memory task hub. Idempotent. */
    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
        if (app != null) {
            app.close();
            app = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The client of the in-memory task hub: start, raise events, terminate, suspend, query, purge, entities. */
    public DurableTaskClient client() {
        return running().client;
    }

    /** The entity client: signal entities, read their state, query them. */
    public DurableEntityClient entities() {
        return running().client.getEntities();
    }

    /** The in-memory backend itself, for what the client does not offer (e.g. {@code isIdle()}). */
    public InMemoryOrchestrationService service() {
        return running().service;
    }

    /** The virtual time now. */
    public Instant now() {
        return running().clock.instant();
    }

    /**
     * Runs the task hub until the instance has finished (Completed, Failed or Terminated), moving virtual time to
     * each next timer whenever nothing else can run.
     *
     * @return the instance's metadata with inputs and outputs
     * @throws IllegalStateException if it does not finish within the real timeout, or does not exist
     */
    public OrchestrationMetadata waitForCompletion(String instanceId) {
        try {
            running().service.awaitCompletion(instanceId, realTimeout);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Instance '" + instanceId + "' did not finish within " + realTimeout
                    + " of real time (virtual time " + clock.instant() + "): " + e.getMessage(), e);
        }
        return metadata(instanceId);
    }

    /**
     * Lets everything that can run now finish (activities, episodes, entity operations) without moving virtual time:
     * afterwards every orchestration waits for an event, a timer or another instance.
     *
     * @throws IllegalStateException if the task hub does not go idle within the real timeout
     */
    public void waitForIdle() {
        try {
            running().service.awaitIdle(realTimeout);
        } catch (TimeoutException e) {
            throw new IllegalStateException("The task hub did not go idle within " + realTimeout + " of real time: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Moves virtual time forward by {@code amount}, firing every timer that comes due on the way, each after
     * everything before it has run.
     *
     * @throws IllegalStateException if the work does not settle within the real timeout
     */
    public void advanceTime(Duration amount) {
        try {
            running().service.advance(amount, realTimeout);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Advancing virtual time by " + amount + " did not settle within "
                    + realTimeout + " of real time: " + e.getMessage(), e);
        }
    }

    /** The instance's metadata with inputs and outputs, or null if it does not exist. */
    public OrchestrationMetadata metadata(String instanceId) {
        return running().client.getInstanceMetadata(instanceId, true);
    }

    /** The history events of the instance's current execution, in order (empty if it has none). */
    public List<HistoryEvent> history(String instanceId) {
        return running().client.getOrchestrationHistory(instanceId);
    }

    /** The raw state of an instance as the backend stores it (status, output, failure details), or null. */
    public OrchestrationState state(String instanceId) {
        return running().service.getOrchestrationState(instanceId, true);
    }

    private synchronized DurableTestHarness running() {
        if (worker == null) {
            throw new IllegalStateException("The harness is not running: call start() (or register it as a JUnit "
                    + "extension with @RegisterExtension)");
        }
        return this;
    }

    /** Describes a {@link DurableTestHarness}. */
    public static final class Builder {
        private final List<Class<?>> functionClasses = new ArrayList<>();
        private final Map<String, OrchestratorFunction<?>> orchestrators = new LinkedHashMap<>();
        private final Map<String, TaskActivity> activities = new LinkedHashMap<>();
        private final Map<String, TaskEntityFactory> entities = new LinkedHashMap<>();
        private DataConverter dataConverter = new JacksonDataConverter();
        private Instant startTime = DEFAULT_START_TIME;
        private Duration realTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * Classes whose {@code @FunctionName} methods with {@code @OrchestrationTrigger}, {@code @ActivityTrigger} or
         * {@code @EntityTrigger} parameters are registered, bound exactly as the host binds them. The classes need a
         * public no-argument constructor (or static methods).
         */
        public Builder functions(Class<?>... classes) {
            functionClasses.addAll(List.of(classes));
            return this;
        }

        /** An orchestrator as a lambda ({@code ctx -> ...}). */
        public Builder orchestrator(String name, OrchestratorFunction<?> orchestrator) {
            orchestrators.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(orchestrator));
            return this;
        }

        /** An activity as a lambda ({@code ctx -> ...}). */
        public Builder activity(String name, TaskActivity activity) {
            activities.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(activity));
            return this;
        }

        /**
         * Replaces an activity of the registered {@linkplain #functions function classes} with a stub, e.g. one that
         * records its input or returns a fixed result instead of calling a real service. The name is matched ignoring
         * case, as activity names are.
         */
        public Builder replaceActivity(String name, TaskActivity stub) {
            return activity(name, stub);
        }

        /** An entity ({@code @name@key} instances are created on demand). */
        public Builder entity(String name, TaskEntityFactory factory) {
            entities.put(Objects.requireNonNull(name, "name").toLowerCase(java.util.Locale.ROOT),
                    Objects.requireNonNull(factory));
            return this;
        }

        /** The JSON converter for inputs, outputs and entity state (default: Jackson). */
        public Builder dataConverter(DataConverter value) {
            this.dataConverter = Objects.requireNonNull(value);
            return this;
        }

        /** The virtual time each run starts at (default {@link #DEFAULT_START_TIME}). */
        public Builder startTime(Instant value) {
            this.startTime = Objects.requireNonNull(value);
            return this;
        }

        /** The longest a wait may take in real time before it fails (default 30 s). */
        public Builder realTimeout(Duration value) {
            this.realTimeout = Objects.requireNonNull(value);
            return this;
        }

        /** The harness (not started; JUnit starts it before each test, or call {@link DurableTestHarness#start()}). */
        public DurableTestHarness build() {
            return new DurableTestHarness(this);
        }
    }
}
