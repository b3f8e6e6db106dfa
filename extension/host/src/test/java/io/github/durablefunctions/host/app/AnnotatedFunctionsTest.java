package io.github.durablefunctions.host.app;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.host.FunctionRegistry;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import io.github.durablefunctions.host.testapp.HelloFunctions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The durable functions of the test app's class, read from its annotations: the same names, trigger types and
 * attributes that azure-functions-maven-plugin writes into function.json (see testing.TestApp), and a registry that
 * sorts them exactly as it sorts a packaged app's.
 */
class AnnotatedFunctionsTest {
    private static final DataConverter CONVERTER = new JacksonDataConverter();

    @Test
    void durableFunctionsAreReadFromAnnotationsAndHttpFunctionsLeftOut() throws Exception {
        try (FunctionApp app = AnnotatedFunctions.app(HelloFunctions.class)) {
            assertThat(app.function("StartOrchestration")).as("HTTP functions are left out").isEmpty();
            FunctionDefinition failing = app.function("FailingOrchestrator").orElseThrow();
            assertThat(failing.triggerType()).isEqualTo("orchestrationTrigger");
            assertThat(failing.trigger().orElseThrow().attribute("orchestration")).isEqualTo("FailingOrchestration");
            assertThat(failing.entryPoint()).isEqualTo(HelloFunctions.class.getName() + ".failing");
            FunctionDefinition join = app.function("Join").orElseThrow();
            assertThat(join.triggerType()).isEqualTo("activityTrigger");
            assertThat(join.trigger().orElseThrow().name()).isEqualTo("parts");
            assertThat(join.trigger().orElseThrow().attribute("activity")).isEqualTo("JoinGreetings");
            assertThat(app.function("Counter").orElseThrow().triggerType()).isEqualTo("entityTrigger");

            FunctionRegistry registry = FunctionRegistry.build(app, CONVERTER, new DurableClientFactory(
                    new BackendDurableTaskClient(null, CONVERTER), "Hub", new AppSettings(Map.of(), Map.of(), null)));
            assertThat(registry.orchestrators()).extracting(FunctionRegistry.DurableFunction::name)
                    .contains("HelloCities", "FailingOrchestration", "EchoOrchestration");
            assertThat(registry.activities()).extracting(FunctionRegistry.DurableFunction::name)
                    .contains("SayHello", "JoinGreetings", "Square");
            assertThat(registry.entities()).extracting(FunctionRegistry.DurableFunction::name)
                    .contains("counter", "account");
            assertThat(registry.http()).isEmpty();
            assertThat(registry.skipped()).isEmpty();
        }
    }

    @Test
    void aClassWithoutFunctionsOrNoClassIsAClearError() {
        assertThatThrownBy(AnnotatedFunctions::app).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one class");
        try (FunctionApp app = AnnotatedFunctions.app(String.class)) {
            assertThat(app.functions()).isEmpty();
        }
    }
}
