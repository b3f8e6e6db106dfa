package io.github.durablefunctions.bench;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;
import io.github.durablefunctions.worker.DurableTaskWorker;

import java.util.ArrayList;
import java.util.List;

/**
 * The orchestrators, activities and entity the scenarios run, and the outputs they must produce. Every scenario JVM
 * registers all of them.
 */
public final class BenchFunctions {
    /** The cities of HelloCities5, in call order (those of the Durable Functions sample). */
    public static final List<String> CITIES_5 = List.of("Tokyo", "Seattle", "London", "Paris", "Cairo");
    /** The cities of HelloCities3. */
    public static final List<String> CITIES_3 = CITIES_5.subList(0, 3);

    public static final String HELLO_CITIES_5 = "HelloCities5";
    public static final String HELLO_CITIES_3 = "HelloCities3";
    public static final String SEQUENTIAL = "Sequential";
    public static final String FAN_OUT_FAN_IN = "FanOutFanIn";
    public static final String EXTERNAL_EVENTS = "ExternalEvents";
    public static final String SAY_HELLO = "SayHello";
    public static final String DOUBLE = "Double";
    /** The event name ExternalEvents waits for. */
    public static final String EVENT_NAME = "Item";
    /** The counter entity's name. */
    public static final String COUNTER = "Counter";

    private BenchFunctions() {
    }

    /** Registers every function on {@code builder}. */
    public static DurableTaskWorker.Builder register(DurableTaskWorker.Builder builder) {
        return builder
                .addOrchestrator(HELLO_CITIES_5, ctx -> helloCities(ctx, CITIES_5))
                .addOrchestrator(HELLO_CITIES_3, ctx -> helloCities(ctx, CITIES_3))
                // input: the number of activities; output: the sum of 2*i for i in 0..n-1
                .addOrchestrator(SEQUENTIAL, ctx -> {
                    int n = ctx.getInput(Integer.class);
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += ctx.callActivity(DOUBLE, i, Long.class).await();
                    }
                    return sum;
                })
                .addOrchestrator(FAN_OUT_FAN_IN, ctx -> {
                    int n = ctx.getInput(Integer.class);
                    List<Task<Long>> tasks = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        tasks.add(ctx.callActivity(DOUBLE, i, Long.class));
                    }
                    long sum = 0;
                    for (long value : ctx.allOf(tasks).await()) {
                        sum += value;
                    }
                    return sum;
                })
                // input: the number of events; waits for them one after another; output: the sum of their payloads
                .addOrchestrator(EXTERNAL_EVENTS, ctx -> {
                    int n = ctx.getInput(Integer.class);
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += ctx.waitForExternalEvent(EVENT_NAME, Long.class).await();
                    }
                    return sum;
                })
                .addActivity(SAY_HELLO, ctx -> "Hello " + ctx.getInput(String.class) + "!")
                .addActivity(DOUBLE, ctx -> 2L * ctx.getInput(Long.class))
                .addEntity(COUNTER, () -> BenchFunctions::counter);
    }

    private static List<String> helloCities(io.github.durablefunctions.TaskOrchestrationContext ctx,
                                            List<String> cities) {
        List<String> greetings = new ArrayList<>(cities.size());
        for (String city : cities) {
            greetings.add(ctx.callActivity(SAY_HELLO, city, String.class).await());
        }
        return greetings;
    }

    /** The output HelloCities over {@code cities} must produce. */
    public static List<String> expectedGreetings(List<String> cities) {
        return cities.stream().map(city -> "Hello " + city + "!").toList();
    }

    /** The output of Sequential and FanOutFanIn over {@code n} activities: the sum of 2*i, i in 0..n-1. */
    public static long expectedDoubledSum(int n) {
        return (long) n * (n - 1);
    }

    /** A counter entity: {@code add} (a long, default 1) and {@code get}. */
    static Object counter(TaskEntityOperation operation) {
        TaskEntityState state = operation.getState();
        long value = state.getState(Long.class, 0L);
        switch (operation.getName()) {
            case "add" -> state.setState(value + (operation.hasInput() ? operation.getInput(Long.class) : 1L));
            case "get" -> {
                return value;
            }
            default -> throw new UnsupportedOperationException("Counter has no operation '" + operation.getName()
                    + "'");
        }
        return null;
    }

    /** The counter of the Entity scenario. */
    public static EntityInstanceId counterId(String key) {
        return new EntityInstanceId(COUNTER, key);
    }
}
