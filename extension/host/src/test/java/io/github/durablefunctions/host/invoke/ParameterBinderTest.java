package io.github.durablefunctions.host.invoke;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.TaskActivityContext;
import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityContext;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.host.app.BindingDefinition;
import io.github.durablefunctions.host.app.FunctionDefinition;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParameterBinderTest {
    private static final DataConverter CONVERTER = new JacksonDataConverter();
    private static final BackendDurableTaskClient CLIENT = new BackendDurableTaskClient(null, CONVERTER);
    private static final DurableClientFactory CLIENTS = new DurableClientFactory(CLIENT, "MyHub",
            new AppSettings(Map.of("HubSetting", "MyHub"), Map.of(), null));

    private static final String HTTP = "{\"type\": \"httpTrigger\", \"direction\": \"in\", \"name\": \"req\"}";
    private static final String ACTIVITY = "{\"type\": \"activityTrigger\", \"direction\": \"in\", \"name\": \"x\"}";
    private static final String ORCHESTRATION = "{\"type\": \"orchestrationTrigger\", \"name\": \"ctx\"}";
    private static final String ENTITY = "{\"type\": \"entityTrigger\", \"direction\": \"in\", \"name\": \"req\"}";

    private static FunctionDefinition function(String methodName, String... bindings) throws Exception {
        Method method = Arrays.stream(BinderFixtures.class.getMethods()).filter(m -> m.getName().equals(methodName))
                .findFirst().orElseThrow();
        List<BindingDefinition> defs = new ArrayList<>();
        for (String json : bindings) {
            var node = JsonMapper.builder().build().readTree(json);
            defs.add(new BindingDefinition(node.get("type").asText(),
                    node.has("direction") ? node.get("direction").asText() : "", node.get("name").asText(), node));
        }
        return new FunctionDefinition("Fn" + methodName, Path.of("app.jar"), BinderFixtures.class.getName() + "."
                + methodName, defs, method);
    }

    private static FunctionInvoker invoker(String methodName, String... bindings) throws Exception {
        FunctionDefinition f = function(methodName, bindings);
        return new FunctionInvoker(f, ParameterBinder.create(f, CONVERTER, CLIENTS), BinderFixtures.class.getClassLoader());
    }

    private static HttpRequestData request(String body, Map<String, String> headers) {
        return new HttpRequestData(HttpMethod.POST, URI.create("http://127.0.0.1:7071/api/x?color=red"), headers,
                Map.of("color", "red", "name", "fromQuery"), body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static Invocation http(String functionName, String body, Map<String, String> routeValues) {
        return Invocation.http(functionName, request(body, Map.of("Content-Type", "application/json", "X-Trace", "t1")),
                routeValues);
    }

    @Test
    void bindsTheRequestRouteValuesAndTheExecutionContext() throws Exception {
        Object[] received = (Object[]) invoker("http", HTTP).invoke(http("Fnhttp", "{\"a\":1}", Map.of("id", "42")));

        @SuppressWarnings("unchecked")
        HttpRequestMessage<Optional<String>> req = (HttpRequestMessage<Optional<String>>) received[0];
        assertThat(req.getBody()).contains("{\"a\":1}");
        assertThat(req.getHttpMethod()).isEqualTo(HttpMethod.POST);
        assertThat(req.getUri()).isEqualTo(URI.create("http://127.0.0.1:7071/api/x?color=red"));
        assertThat(req.getHeaders()).containsEntry("x-trace", "t1");
        assertThat(req.getHeaders().get("X-TRACE")).isEqualTo("t1");
        assertThat(req.getQueryParameters()).containsEntry("color", "red");
        assertThat(received[1]).isEqualTo(42);
        assertThat(received[2]).as("a @BindingName without route value falls back to the query").isEqualTo("fromQuery");
        ExecutionContext context = (ExecutionContext) received[3];
        assertThat(context.getFunctionName()).isEqualTo("Fnhttp");
        assertThat(context.getInvocationId()).isNotBlank();
        assertThat(context.getLogger().getName()).isEqualTo("Function.Fnhttp");

        HttpResponseMessage response = req.createResponseBuilder(HttpStatus.CREATED).header("X-A", "1")
                .header("x-a", "2").body("done").build();
        assertThat(response.getStatusCode()).isEqualTo(201);
        assertThat(response.getHeader("X-A")).isEqualTo("2");
        assertThat(response.getBody()).isEqualTo("done");
    }

    @Test
    void anEmptyBodyIsNullOrEmpty() throws Exception {
        Object[] received = (Object[]) invoker("http", HTTP).invoke(http("Fnhttp", null, Map.of("id", "1")));
        assertThat(((HttpRequestMessage<?>) received[0]).getBody()).isEqualTo(Optional.empty());

        HttpRequestMessage<?> string = (HttpRequestMessage<?>) invoker("httpString", HTTP)
                .invoke(http("FnhttpString", "", Map.of()));
        assertThat(string.getBody()).isNull();
    }

    @Test
    void aMissingPrimitiveRouteValueIsZeroAndABadOneIsABindingException() throws Exception {
        FunctionInvoker invoker = invoker("http", HTTP);
        assertThat(((Object[]) invoker.invoke(http("Fnhttp", null, Map.of())))[1]).isEqualTo(0);
        assertThatThrownBy(() -> invoker.invoke(http("Fnhttp", null, Map.of("id", "abc"))))
                .isInstanceOf(BindingException.class).hasMessageContaining("'abc'").hasMessageContaining("int");
    }

    @Test
    void bodiesConvertToTheDeclaredType() throws Exception {
        HttpRequestMessage<?> text = (HttpRequestMessage<?>) invoker("httpString", HTTP)
                .invoke(http("FnhttpString", "héllo", Map.of()));
        assertThat(text.getBody()).isEqualTo("héllo");

        HttpRequestMessage<?> bytes = (HttpRequestMessage<?>) invoker("httpBytes", HTTP)
                .invoke(http("FnhttpBytes", "raw", Map.of()));
        assertThat((byte[]) bytes.getBody()).isEqualTo("raw".getBytes(StandardCharsets.UTF_8));

        HttpRequestMessage<?> pojo = (HttpRequestMessage<?>) invoker("httpPojo", HTTP)
                .invoke(http("FnhttpPojo", "{\"name\":\"Ada\",\"age\":36}", Map.of()));
        assertThat(pojo.getBody()).isEqualTo(Optional.of(new BinderFixtures.Person("Ada", 36)));

        Object direct = invoker("httpBodyDirect", HTTP).invoke(http("FnhttpBodyDirect", "{\"name\":\"Bo\"}", Map.of()));
        assertThat(direct).isEqualTo(new BinderFixtures.Person("Bo", 0));
    }

    @Test
    void aBodyThatIsNotJsonForThePojoIsABindingException() throws Exception {
        FunctionInvoker invoker = invoker("httpPojo", HTTP);
        assertThatThrownBy(() -> invoker.invoke(http("FnhttpPojo", "not json", Map.of())))
                .isInstanceOf(BindingException.class).hasMessageContaining("request body")
                .hasMessageContaining("Person");
    }

    @Test
    void aDurableClientInputGetsAContextForTheAppsHub() throws Exception {
        DurableClientContext context = (DurableClientContext) invoker("client", HTTP,
                "{\"type\": \"durableClient\", \"direction\": \"in\", \"name\": \"durableContext\"}")
                .invoke(http("Fnclient", null, Map.of()));
        assertThat(context.getClient()).isSameAs(CLIENT);
        assertThat(context.getTaskHubName()).isEqualTo("MyHub");

        HttpRequestMessage<String> request = new HttpRequestMessageImpl<>(request(null, Map.of()), null);
        assertThat(context.createHttpManagementPayload(request, "abc").getStatusQueryGetUri())
                .isEqualTo("http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc"
                        + "?taskHub=MyHub&connection=Storage");
    }

    @Test
    void aDurableClientBindingMayNameTheAppsHubThroughASetting() throws Exception {
        DurableClientContext context = (DurableClientContext) invoker("client", HTTP,
                "{\"type\": \"durableClient\", \"name\": \"durableContext\", \"taskHub\": \"%HubSetting%\","
                        + " \"connectionName\": \"MyStorage\"}")
                .invoke(http("Fnclient", null, Map.of()));
        HttpRequestMessage<String> request = new HttpRequestMessageImpl<>(request(null, Map.of()), null);
        assertThat(context.createHttpManagementPayload(request, "abc").getStatusQueryGetUri())
                .endsWith("?taskHub=MyHub&connection=MyStorage");
    }

    @Test
    void aDurableClientBindingForAnotherHubIsUnsupported() throws Exception {
        FunctionDefinition f = function("client", HTTP,
                "{\"type\": \"durableClient\", \"name\": \"durableContext\", \"taskHub\": \"OtherHub\"}");
        assertThatThrownBy(() -> ParameterBinder.create(f, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("'OtherHub'");
    }

    @Test
    void anActivityTriggerGetsTheInputInItsGenericType() throws Exception {
        Object sum = invoker("sum", ACTIVITY).invoke(Invocation.activity("Fnsum", activityContext("[1,2,3]")));
        assertThat(sum).isEqualTo(6);
        Object twice = invoker("twice", ACTIVITY).invoke(Invocation.activity("Fntwice", activityContext("21")));
        assertThat(twice).isEqualTo(42L);
        Object noInput = invoker("twice", ACTIVITY).invoke(Invocation.activity("Fntwice", activityContext(null)));
        assertThat(noInput).as("a primitive parameter gets 0 when there is no input").isEqualTo(0L);
    }

    @Test
    void anOrchestrationTriggerGetsTheContext() throws Exception {
        TaskOrchestrationContext ctx = orchestrationContext();
        Map<?, ?> result = (Map<?, ?>) invoker("orchestrator", ORCHESTRATION)
                .invoke(Invocation.orchestration("Fnorchestrator", ctx));
        assertThat(result.get("ctx")).isSameAs(ctx);
        assertThat(result.get("function")).isEqualTo("Fnorchestrator");
    }

    @Test
    void anEntityTriggerGetsTheOperationAndOtherParametersBindAsUsual() throws Exception {
        FakeOperation operation = new FakeOperation("add");
        Map<?, ?> result = (Map<?, ?>) invoker("entity", ENTITY).invoke(Invocation.entity("Fnentity", operation));
        assertThat(result.get("operation")).isSameAs(operation);
        assertThat(result.get("function")).isEqualTo("Fnentity");
    }

    @Test
    void theEntityAdapterRunsTheFunctionPerOperationAndReturnsItsResult() throws Exception {
        EntityFunctionAdapter adapter = new EntityFunctionAdapter(invoker("entity", ENTITY));
        TaskEntity entity = adapter.create();
        FakeOperation operation = new FakeOperation("get");
        Map<?, ?> result = (Map<?, ?>) entity.run(operation);
        assertThat(result.get("operation")).isSameAs(operation);

        FakeOperation voidOperation = new FakeOperation("reset");
        Object nothing = new EntityFunctionAdapter(invoker("voidEntity", ENTITY)).create().run(voidOperation);
        assertThat(nothing).as("a void entity function's result").isNull();
        assertThat(voidOperation.state).isEqualTo("ran reset");
    }

    @Test
    void exceptionsOfEntityFunctionsReachTheExecutorAsThemselves() throws Exception {
        TaskEntity entity = new EntityFunctionAdapter(invoker("failingEntity", ENTITY)).create();
        assertThatThrownBy(() -> entity.run(new FakeOperation("fly")))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("cannot fly");
    }

    @Test
    void anEntityTriggerMustTakeATaskEntityOperationOfAnEntityTriggerFunction() throws Exception {
        FunctionDefinition string = function("stringEntity", ENTITY);
        assertThatThrownBy(() -> ParameterBinder.create(string, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("parameter 1")
                .hasMessageContaining(TaskEntityOperation.class.getName());
        FunctionDefinition wrongTrigger = function("entity", ACTIVITY);
        assertThatThrownBy(() -> ParameterBinder.create(wrongTrigger, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("@EntityTrigger")
                .hasMessageContaining("activityTrigger");
    }

    @Test
    void unsupportedBindingsAndUnannotatedParametersMakeTheFunctionUnsupported() throws Exception {
        FunctionDefinition queue = function("queue", HTTP);
        assertThatThrownBy(() -> ParameterBinder.create(queue, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("parameter 2")
                .hasMessageContaining("@QueueOutput");
        FunctionDefinition unannotated = function("unannotated", HTTP);
        assertThatThrownBy(() -> ParameterBinder.create(unannotated, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("no binding annotation");
        FunctionDefinition wrongTrigger = function("sum", HTTP);
        assertThatThrownBy(() -> ParameterBinder.create(wrongTrigger, CONVERTER, CLIENTS))
                .isInstanceOf(UnsupportedFunctionException.class).hasMessageContaining("@ActivityTrigger")
                .hasMessageContaining("httpTrigger");
    }

    @Test
    void userExceptionsComeOutUnwrapped() throws Exception {
        FunctionInvoker checked = invoker("checked", ACTIVITY);
        assertThatThrownBy(() -> checked.invoke(Invocation.activity("Fnchecked", activityContext("\"x\""))))
                .isExactlyInstanceOf(IOException.class).hasMessage("disk full: x");
    }

    @Test
    void theBlockingSignalPassesThroughTheOrchestratorAdapter() throws Exception {
        OrchestratorFunctionAdapter adapter = new OrchestratorFunctionAdapter(invoker("blocked", ORCHESTRATION));
        assertThatThrownBy(() -> adapter.apply(orchestrationContext())).isExactlyInstanceOf(OrchestratorBlockedException.class);
    }

    @Test
    void errorsOfActivitiesReachTheWorkerAsThemselves() throws Exception {
        // The worker fails the activity with them (core's ActivityDispatcherTest).
        ActivityFunctionAdapter adapter = new ActivityFunctionAdapter(invoker("error", ACTIVITY));
        assertThatThrownBy(() -> adapter.run(activityContext("\"x\""))).isExactlyInstanceOf(AssertionError.class)
                .hasMessage("broken: x");
    }

    /** An operation whose state is a string held in memory; only what the fixtures use works. */
    private static final class FakeOperation implements TaskEntityOperation, TaskEntityState {
        private final String name;
        Object state;

        FakeOperation(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean hasInput() {
            return false;
        }

        @Override
        public <T> T getInput(Class<T> type) {
            return null;
        }

        @Override
        public Object getInput(Type type) {
            return null;
        }

        @Override
        public TaskEntityState getState() {
            return this;
        }

        @Override
        public TaskEntityContext getContext() {
            return new TaskEntityContext() {
                @Override
                public EntityInstanceId getId() {
                    return new EntityInstanceId("fake", "k");
                }

                @Override
                public void signalEntity(EntityInstanceId entityId, String operationName, Object input,
                                         io.github.durablefunctions.SignalEntityOptions options) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public String startNewOrchestration(String orchestrationName, Object input, String instanceId) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public boolean hasState() {
            return state != null;
        }

        @Override
        public <T> T getState(Class<T> type) {
            return type.cast(state);
        }

        @Override
        public void setState(Object value) {
            state = value;
        }

        @Override
        public void deleteState() {
            state = null;
        }
    }

    /** A context that only the binding passes around; its methods are never called. */
    private static TaskOrchestrationContext orchestrationContext() {
        return (TaskOrchestrationContext) Proxy.newProxyInstance(ParameterBinderTest.class.getClassLoader(),
                new Class<?>[] {TaskOrchestrationContext.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static TaskActivityContext activityContext(String json) {
        return new TaskActivityContext() {
            @Override
            public String getName() {
                return "activity";
            }

            @Override
            public String getInstanceId() {
                return "instance";
            }

            @Override
            public int getTaskId() {
                return 0;
            }

            @Override
            public <T> T getInput(Class<T> targetType) {
                return CONVERTER.deserialize(json, targetType);
            }

            @Override
            public Object getInput(Type targetType) {
                return CONVERTER.deserialize(json, targetType);
            }

            @Override
            public String getSerializedInput() {
                return json;
            }
        };
    }
}
