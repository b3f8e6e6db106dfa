package io.github.durablefunctions.host.app;

import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.host.HostStartupException;
import io.github.durablefunctions.host.app.fixtures.NoDefaultConstructor;
import io.github.durablefunctions.host.app.fixtures.OverloadedFunctions;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.testing.StagingFolder;
import io.github.durablefunctions.host.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionAppLoaderTest {
    private static final String ACTIVITY = "[ { \"type\" : \"activityTrigger\", \"direction\" : \"in\", \"name\" : \"input\" } ]";
    private static final String FIXTURES = OverloadedFunctions.class.getPackageName() + ".";

    @TempDir
    Path tmp;

    private static final AppSettings NO_SETTINGS = new AppSettings(Map.of(), Map.of(), null);

    private FunctionApp load(Path dir) throws HostStartupException {
        return FunctionAppLoader.load(dir, FunctionAppLoaderTest.class.getClassLoader(), NO_SETTINGS);
    }

    private StagingFolder fixturesApp() {
        return StagingFolder.at(tmp.resolve("app")).hostJson("{}").jar("app.jar", List.of(FIXTURES));
    }

    @Test
    void loadsEveryFunctionWithItsBindingsAndMethodFromTheAppJar() throws Exception {
        Path dir = TestApp.write(tmp, "{\"version\": \"2.0\"}");
        try (FunctionApp app = FunctionAppLoader.load(dir, TestApp.hidingParent(), NO_SETTINGS)) {
            assertThat(app.functions()).extracting(FunctionDefinition::name).containsExactly("Account",
                    "BadActivityInput", "Boom", "CleanEntityStorage", "Counter", "CounterCaller", "EchoOrchestration",
                    "Fail", "FailingOrchestrator", "FailsOnce", "FlakyOnce", "GetItem", "Greet", "HelloCities", "Join",
                    "LockAndWait", "SayHello", "Sleep", "SlowOrchestration", "Square", "StartOrchestration",
                    "TallyFunction", "TimerOrchestration", "WaitForApproval");

            FunctionDefinition start = app.function("startorchestration").orElseThrow();
            assertThat(start.scriptFile()).isEqualTo(dir.resolve("testapp.jar"));
            assertThat(start.triggerType()).isEqualTo("httpTrigger");
            assertThat(start.trigger().orElseThrow().attribute("route")).isEqualTo("orchestrators/{functionName}");
            assertThat(start.trigger().orElseThrow().listAttribute("methods")).containsExactly("POST");
            assertThat(start.binding("durableClient").orElseThrow().name()).isEqualTo("durableContext");
            assertThat(start.method().getName()).isEqualTo("start");

            // The app's own classes come from its jar ...
            assertThat(start.method().getDeclaringClass().getClassLoader()).isSameAs(app.classLoader());
            // ... while core and the Functions library are the host's (parent-first), so bound objects fit.
            assertThat(start.method().getParameterTypes()[2]).isSameAs(DurableClientContext.class);
        }
    }

    @Test
    void anOverloadedEntryPointResolvesByFunctionName() throws Exception {
        String entry = OverloadedFunctions.class.getName() + ".run";
        Path dir = fixturesApp().function("First", "../app.jar", entry, ACTIVITY)
                .function("Second", "../app.jar", entry, ACTIVITY).dir();
        try (FunctionApp app = load(dir)) {
            assertThat(app.function("First").orElseThrow().method().getParameterCount()).isEqualTo(1);
            assertThat(app.function("Second").orElseThrow().method().getParameterCount()).isEqualTo(2);
        }
    }

    @Test
    void anOverloadWithoutAMatchingFunctionNameIsAnError() {
        Path dir = fixturesApp().function("Third", "../app.jar", OverloadedFunctions.class.getName() + ".run",
                ACTIVITY).dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("Function 'Third'").hasMessageContaining("several public methods run");
    }

    @Test
    void aMissingClassNamesTheClassAndTheJar() {
        Path dir = fixturesApp().function("Ghost", "../app.jar", "com.example.Missing.run", ACTIVITY).dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("Function 'Ghost'").hasMessageContaining("class com.example.Missing")
                .hasMessageContaining("app.jar");
    }

    @Test
    void aMissingMethodIsAnError() {
        Path dir = fixturesApp().function("Nope", "../app.jar", OverloadedFunctions.class.getName() + ".walk",
                ACTIVITY).dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("has no public method walk");
    }

    @Test
    void anInstanceMethodNeedsANoArgumentConstructor() {
        Path dir = fixturesApp().function("Greet", "../app.jar", NoDefaultConstructor.class.getName() + ".greet",
                ACTIVITY).dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("public no-argument constructor");
    }

    @Test
    void aMissingScriptFileIsAnError() {
        Path dir = fixturesApp().function("First", "../other.jar", OverloadedFunctions.class.getName() + ".run",
                ACTIVITY).dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("scriptFile").hasMessageContaining("other.jar").hasMessageContaining("does not exist");
    }

    @Test
    void malformedFunctionJsonIsAnErrorNamingTheFile() {
        Path badJson = fixturesApp().file("Broken/function.json", "{ \"scriptFile\": ").dir();
        assertThatThrownBy(() -> load(badJson)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("Broken").hasMessageContaining("function.json is not valid JSON");
    }

    @Test
    void functionJsonWithoutEntryPointOrWithTwoTriggersIsAnError() {
        Path noEntry = fixturesApp().file("NoEntry/function.json", "{\"scriptFile\": \"../app.jar\", \"bindings\": []}")
                .dir();
        assertThatThrownBy(() -> load(noEntry)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("\"entryPoint\" is missing");
    }

    @Test
    void twoTriggersAreAnError() {
        Path dir = fixturesApp().function("Two", "../app.jar", OverloadedFunctions.class.getName() + ".run",
                "[ {\"type\": \"activityTrigger\", \"name\": \"a\"}, {\"type\": \"httpTrigger\", \"name\": \"b\"} ]")
                .dir();
        assertThatThrownBy(() -> load(dir)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("exactly one trigger");
    }

    @Test
    void aFolderWithoutFunctionsOrThatDoesNotExistIsAnError() {
        Path empty = StagingFolder.at(tmp.resolve("empty")).hostJson("{}").dir();
        assertThatThrownBy(() -> load(empty)).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("No functions found");
        assertThatThrownBy(() -> load(tmp.resolve("missing"))).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void disabledFunctionsAreNotLoaded() throws Exception {
        String entry = OverloadedFunctions.class.getName() + ".run";
        Path dir = fixturesApp()
                .file("First/function.json", "{\"scriptFile\": \"../app.jar\", \"entryPoint\": \"" + entry
                        + "\", \"disabled\": true, \"bindings\": " + ACTIVITY + "}")
                .function("Second", "../app.jar", entry, ACTIVITY)
                .function("Ghost", "../app.jar", "com.example.Missing.run", ACTIVITY).dir();
        AppSettings settings = new AppSettings(Map.of("AzureWebJobs.Ghost.Disabled", "true"), Map.of(), null);
        try (FunctionApp app = FunctionAppLoader.load(dir, getClass().getClassLoader(), settings)) {
            assertThat(app.functions()).extracting(FunctionDefinition::name).containsExactly("Second");
            assertThat(app.disabled()).containsExactlyInAnyOrder("First", "Ghost");
        }
    }
}
