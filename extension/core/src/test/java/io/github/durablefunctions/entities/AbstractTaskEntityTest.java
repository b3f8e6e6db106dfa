package io.github.durablefunctions.entities;

import io.github.durablefunctions.AbstractTaskEntity;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.TaskEntityContext;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.history.EventRaisedEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Class-style entities: {@link AbstractTaskEntity}'s dispatch to public methods, state loading and writing back. */
class AbstractTaskEntityTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final EntityInstanceId ID = new EntityInstanceId("counter", "k");
    private static final EntityInstanceId LOGGER = new EntityInstanceId("logger", "x");

    /** A counter entity with operations of each supported shape. */
    public static class Counter extends AbstractTaskEntity<Integer> {
        @Override
        protected Class<Integer> getStateType() {
            return Integer.class;
        }

        public void add(int amount) {
            state += amount;
        }

        public int get() {
            return state;
        }

        public String whoAmI(TaskEntityContext ctx) {
            return ctx.getId().toString();
        }

        public int sumAndReport(List<Map<String, Integer>> items, TaskEntityContext ctx) {
            int sum = 0;
            for (Map<String, Integer> item : items) {
                for (Integer v : item.values()) { // a ClassCastException if the generic type were ignored
                    sum += v;
                }
            }
            state += sum;
            ctx.signalEntity(LOGGER, "log", sum);
            return state;
        }

        public void removeThroughOperation(TaskEntityOperation operation) {
            state = 42; // ignored: the state was deleted through the operation
            operation.getState().deleteState();
        }

        public void clear() {
            state = null;
        }

        public void boom() throws IOException {
            state = 1000;
            throw new IOException("disk on fire");
        }

        public void twoInputs(int a, int b) {
        }

        public void tooMany(int a, TaskEntityContext b, TaskEntityOperation c) {
        }

        public void overloaded(int a) {
        }

        public void overloaded(String a) {
        }
    }

    /** A POJO state with a no-argument constructor. */
    public static class Cart {
        public List<String> items = new ArrayList<>();
    }

    public static class CartEntity extends AbstractTaskEntity<Cart> {
        @Override
        protected Class<Cart> getStateType() {
            return Cart.class;
        }

        public int addItem(String item) {
            state.items.add(item);
            return state.items.size();
        }
    }

    /** A state type without a no-argument constructor: no initial state. */
    public record Point(int x, int y) {
    }

    public static class PointEntity extends AbstractTaskEntity<Point> {
        @Override
        protected Class<Point> getStateType() {
            return Point.class;
        }

        public Point get() {
            return state;
        }

        public void set(Point p) {
            state = p;
        }
    }

    /** An entity with its own initial state. */
    public static class StartsAtTen extends Counter {
        @Override
        protected Integer initializeState(TaskEntityOperation operation) {
            return 10;
        }
    }

    private final JacksonDataConverter converter = new JacksonDataConverter();

    private EntityOperationRun operation(String name, String input, String state) {
        return new EntityOperationRun(name, input, state, ID, T0, converter);
    }

    @Test
    void operationsAreDispatchedToPublicMethodsIgnoringCaseAndStateIsWrittenBack() throws Exception {
        EntityOperationRun add = operation("ADD", "5", "1");
        assertThat(new Counter().run(add)).isNull();
        assertThat(add.stateJson()).isEqualTo("6");

        EntityOperationRun get = operation("Get", null, "6");
        assertThat(new Counter().run(get)).isEqualTo(6);
        assertThat(get.stateJson()).isEqualTo("6");
    }

    @Test
    void theContextParameterGetsTheOperationsContext() throws Exception {
        assertThat(new Counter().run(operation("whoami", null, "0"))).isEqualTo("@counter@k");
    }

    @Test
    void anInputParameterIsDeserializedToItsGenericType() throws Exception {
        EntityOperationRun op = operation("sumAndReport", "[{\"a\":1,\"b\":2},{\"c\":3}]", "10");

        assertThat(new Counter().run(op)).isEqualTo(16);
        assertThat(op.stateJson()).isEqualTo("16");
        assertThat(op.actions).singleElement().isInstanceOfSatisfying(EntityOperationRun.PendingSignal.class,
                s -> {
                    assertThat(s.target()).isEqualTo(LOGGER);
                    assertThat(s.request().input).isEqualTo("6");
                });
    }

    @Test
    void aPrimitiveParameterWithoutInputGetsZero() throws Exception {
        EntityOperationRun op = operation("add", null, "3");
        new Counter().run(op);
        assertThat(op.stateJson()).isEqualTo("3");
    }

    @Test
    void anUnknownOperationFailsNamingTheEntityClassAndTheOperation() {
        assertThatThrownBy(() -> new Counter().run(operation("multiply", "2", "1")))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(Counter.class.getName())
                .hasMessageContaining("'multiply'");
        assertThatThrownBy(() -> new Counter().run(operation("toString", null, "1")))
                .as("Object's methods are not operations").isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Counter().run(operation("run", null, "1")))
                .as("AbstractTaskEntity's own methods are not operations")
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void deleteWithoutAMethodDeletesTheState() throws Exception {
        EntityOperationRun op = operation("Delete", null, "5");
        assertThat(new Counter().run(op)).isNull();
        assertThat(op.stateJson()).isNull();
    }

    @Test
    void stateDeletedThroughTheOperationStaysDeleted() throws Exception {
        EntityOperationRun existing = operation("removeThroughOperation", null, "5");
        new Counter().run(existing);
        assertThat(existing.stateJson()).isNull();

        EntityOperationRun fresh = operation("removeThroughOperation", null, null);
        new Counter().run(fresh);
        assertThat(fresh.stateJson()).as("also for an entity that had no state before").isNull();
    }

    @Test
    void settingTheStateFieldToNullDeletesTheState() throws Exception {
        EntityOperationRun op = operation("clear", null, "5");
        new Counter().run(op);
        assertThat(op.stateJson()).isNull();
    }

    @Test
    void theMethodsExceptionIsThrownUnwrapped() {
        assertThatThrownBy(() -> new Counter().run(operation("boom", null, "1")))
                .isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
    }

    @Test
    void unsupportedSignaturesAndAmbiguousNamesFailClearly() {
        assertThatThrownBy(() -> new Counter().run(operation("twoInputs", "1", "0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("two input parameters");
        assertThatThrownBy(() -> new Counter().run(operation("tooMany", "1", "0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("3 parameters");
        assertThatThrownBy(() -> new Counter().run(operation("overloaded", "1", "0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2 public methods named");
    }

    @Test
    void initialStatesFollowTheDocumentedDefaults() throws Exception {
        EntityOperationRun counter = operation("get", null, null);
        assertThat(new Counter().run(counter)).isEqualTo(0);
        assertThat(counter.stateJson()).as("reading creates the entity with its initial state").isEqualTo("0");

        EntityOperationRun cart = operation("addItem", "\"apple\"", null);
        assertThat(new CartEntity().run(cart)).isEqualTo(1);
        assertThat(cart.stateJson()).isEqualTo("{\"items\":[\"apple\"]}");

        EntityOperationRun point = operation("get", null, null);
        assertThat(new PointEntity().run(point)).isNull();
        assertThat(point.stateJson()).as("no initial state: still no state").isNull();
        EntityOperationRun set = operation("set", "{\"x\":1,\"y\":2}", null);
        new PointEntity().run(set);
        assertThat(set.stateJson()).isEqualTo("{\"x\":1,\"y\":2}");

        EntityOperationRun custom = operation("add", "1", null);
        new StartsAtTen().run(custom);
        assertThat(custom.stateJson()).isEqualTo("11");
    }

    @Test
    void throughTheExecutorAFailingMethodIsRolledBackAndTheCallerGetsTheUnwrappedException() {
        EntityExecutor executor = new EntityExecutor(converter, Duration.ZERO, 10);
        RequestMessage boom = new RequestMessage();
        boom.operation = "boom";
        boom.id = UUID.randomUUID().toString();
        boom.parentInstanceId = "orch1";
        boom.parentExecutionId = "e1";
        RequestMessage add = new RequestMessage();
        add.operation = "add";
        add.input = "2";
        add.signal = true;
        add.id = UUID.randomUUID().toString();

        SchedulerState start = new SchedulerState();
        start.entityState = "1";
        EntityExecutor.Result result = executor.execute(ID, start,
                List.of(new EventRaisedEvent(-1, false, T0, "op", boom.toJson(), null),
                        new EventRaisedEvent(-1, false, T0, "op", add.toJson(), null)), Counter::new, T0);

        assertThat(result.state().entityState).isEqualTo("3");
        EntityExecutor.EventMessage response = (EntityExecutor.EventMessage) result.outbound().get(0);
        assertThat(ResponseMessage.fromJson(response.input()).failure().getErrorType())
                .isEqualTo("java.io.IOException");
    }
}
