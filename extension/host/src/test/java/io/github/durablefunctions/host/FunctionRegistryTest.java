package io.github.durablefunctions.host;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.host.app.BindingDefinition;
import io.github.durablefunctions.host.app.FunctionApp;
import io.github.durablefunctions.host.app.FunctionDefinition;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.invoke.BinderFixtures;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the registry sorts entity functions: their entity names, duplicates, and what it cannot run. */
class FunctionRegistryTest {
    private static final DataConverter CONVERTER = new JacksonDataConverter();
    private static final DurableClientFactory CLIENTS = new DurableClientFactory(
            new BackendDurableTaskClient(null, CONVERTER), "MyHub", new AppSettings(Map.of(), Map.of(), null));

    private static FunctionDefinition function(String name, String methodName, String bindingJson) throws Exception {
        Method method = Arrays.stream(BinderFixtures.class.getMethods()).filter(m -> m.getName().equals(methodName))
                .findFirst().orElseThrow();
        var node = JsonMapper.builder().build().readTree(bindingJson);
        BindingDefinition binding = new BindingDefinition(node.get("type").asText(), "in", node.get("name").asText(),
                node);
        return new FunctionDefinition(name, Path.of("app.jar"), BinderFixtures.class.getName() + "." + methodName,
                List.of(binding), method);
    }

    private static FunctionRegistry build(FunctionDefinition... functions) throws HostStartupException {
        FunctionApp app = new FunctionApp(Path.of("app"), List.of(functions), List.of(),
                new URLClassLoader(new URL[0], FunctionRegistryTest.class.getClassLoader()));
        return FunctionRegistry.build(app, CONVERTER, CLIENTS);
    }

    private static String entityTrigger(String extra) {
        return "{\"type\": \"entityTrigger\", \"name\": \"req\"" + extra + "}";
    }

    @Test
    void entitiesAreNamedByTheirEntityNameOrFunctionNameInLowerCase() throws Exception {
        FunctionRegistry registry = build(
                function("MyCounter", "entity", entityTrigger("")),
                function("Whatever", "voidEntity", entityTrigger(", \"entityName\": \"Other\"")));

        assertThat(registry.entities()).extracting(FunctionRegistry.DurableFunction::name)
                .containsExactly("mycounter", "other");
        assertThat(registry.entities().get(1).invoker().function().name()).isEqualTo("Whatever");
        assertThat(registry.skipped()).isEmpty();
        assertThat(registry.orchestrators()).isEmpty();
        assertThat(registry.activities()).isEmpty();
    }

    @Test
    void twoEntitiesWithTheSameNameIgnoringCaseStopTheHost() throws Exception {
        FunctionDefinition first = function("Counter", "entity", entityTrigger(""));
        FunctionDefinition second = function("Other", "voidEntity", entityTrigger(", \"entityName\": \"COUNTER\""));
        assertThatThrownBy(() -> build(first, second)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("'Counter'").hasMessageContaining("'Other'")
                .hasMessageContaining("entity 'counter'");
    }

    @Test
    void anEntityAndAnOrchestratorMayShareAName() throws Exception {
        FunctionRegistry registry = build(
                function("Counter", "entity", entityTrigger("")),
                function("CounterOrchestrator", "orchestrator",
                        "{\"type\": \"orchestrationTrigger\", \"name\": \"ctx\", \"orchestration\": \"Counter\"}"));
        assertThat(registry.entities()).hasSize(1);
        assertThat(registry.orchestrators()).hasSize(1);
    }

    @Test
    void entityFunctionsTheHostCannotRunAreSkippedWithTheReason() throws Exception {
        FunctionRegistry registry = build(
                function("Raw", "stringEntity", entityTrigger("")),
                function("At", "entity", entityTrigger(", \"entityName\": \"a@b\"")),
                function("Fine", "entity", entityTrigger("")));

        assertThat(registry.entities()).extracting(FunctionRegistry.DurableFunction::name).containsExactly("fine");
        assertThat(registry.skipped()).extracting(s -> s.function().name()).containsExactly("Raw", "At");
        assertThat(registry.skipped().get(0).reason()).contains("TaskEntityOperation");
        assertThat(registry.skipped().get(1).reason()).contains("'a@b'").contains("'@'");
    }
}
