package io.github.durablefunctions.host.testing;

import io.github.durablefunctions.host.testapp.HelloFunctions;

import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.host.HostOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The staging folder of the test function app ({@link HelloFunctions}): function.json files as
 * azure-functions-maven-plugin 1.37.0 writes them for those methods (api-and-http.md §1.3), and a jar with the
 * {@code testapp} package.
 */
public final class TestApp {
    /** The app name: the jar is {@code testapp.jar}. */
    public static final String NAME = "testapp";
    /** The package of the app's classes, to hide from the host's class path. */
    public static final String PACKAGE_PREFIX = HelloFunctions.class.getPackageName() + ".";

    private static final String ENTRY = HelloFunctions.class.getName() + ".";
    private static final String JAR = "../" + NAME + ".jar";

    private TestApp() {
    }

    /**
     * Writes the app into {@code parent/testapp/}.
     *
     * @param hostJson the host.json content
     * @return the staging folder
     */
    public static Path write(Path parent, String hostJson) {
        StagingFolder app = StagingFolder.at(parent.resolve(NAME))
                .hostJson(hostJson)
                .jar(NAME + ".jar", List.of(PACKAGE_PREFIX))
                .function("StartOrchestration", JAR, ENTRY + "start", """
                        [ {
                          "type" : "httpTrigger",
                          "direction" : "in",
                          "name" : "req",
                          "methods" : [ "POST" ],
                          "route" : "orchestrators/{functionName}",
                          "authLevel" : "ANONYMOUS"
                        }, {
                          "type" : "durableClient",
                          "direction" : "in",
                          "name" : "durableContext"
                        }, {
                          "type" : "http",
                          "direction" : "out",
                          "name" : "$return"
                        } ]""")
                .function("HelloCities", JAR, ENTRY + "helloCities", orchestrationTrigger(""))
                .function("SlowOrchestration", JAR, ENTRY + "slow", orchestrationTrigger(""))
                .function("EchoOrchestration", JAR, ENTRY + "echo", orchestrationTrigger(""))
                .function("FailingOrchestrator", JAR, ENTRY + "failing",
                        orchestrationTrigger(",\n  \"orchestration\" : \"FailingOrchestration\""))
                .function("WaitForApproval", JAR, ENTRY + "waitForApproval", orchestrationTrigger(""))
                .function("TimerOrchestration", JAR, ENTRY + "timer", orchestrationTrigger(""))
                .function("FailsOnce", JAR, ENTRY + "failsOnce", orchestrationTrigger(""))
                .function("BadActivityInput", JAR, ENTRY + "badActivityInput", orchestrationTrigger(""))
                .function("Square", JAR, ENTRY + "square", activityTrigger("n", ""))
                .function("FlakyOnce", JAR, ENTRY + "flakyOnce", activityTrigger("key", ""))
                .function("SayHello", JAR, ENTRY + "sayHello", activityTrigger("name", ""))
                .function("Join", JAR, ENTRY + "join",
                        activityTrigger("parts", ",\n  \"activity\" : \"JoinGreetings\""))
                .function("Sleep", JAR, ENTRY + "sleep", activityTrigger("millis", ""))
                .function("Fail", JAR, ENTRY + "fail", activityTrigger("message", ""))
                .function("GetItem", JAR, ENTRY + "getItem", httpTrigger("GET", "items/{id:int}/{name?}"))
                .function("Greet", JAR, ENTRY + "greet", httpTrigger("POST", null))
                .function("Boom", JAR, ENTRY + "boom", httpTrigger("GET", null))
                .function("CounterCaller", JAR, ENTRY + "counterCaller", orchestrationTrigger(""))
                .function("LockAndWait", JAR, ENTRY + "lockAndWait", orchestrationTrigger(""))
                .function("CleanEntityStorage", JAR, ENTRY + "cleanEntityStorage", """
                        [ {
                          "type" : "httpTrigger",
                          "direction" : "in",
                          "name" : "req",
                          "methods" : [ "POST" ],
                          "route" : "entity-storage/clean",
                          "authLevel" : "ANONYMOUS"
                        }, {
                          "type" : "durableClient",
                          "direction" : "in",
                          "name" : "durableContext"
                        }, {
                          "type" : "http",
                          "direction" : "out",
                          "name" : "$return"
                        } ]""")
                .function("Counter", JAR, ENTRY + "counter", entityTrigger(""))
                .function("Account", JAR, ENTRY + "account", entityTrigger(""))
                .function("TallyFunction", JAR, ENTRY + "tally", entityTrigger(",\n  \"entityName\" : \"Tally\""));
        return app.dir();
    }

    private static String orchestrationTrigger(String extra) {
        return "[ {\n  \"type\" : \"orchestrationTrigger\",\n  \"direction\" : \"in\",\n  \"name\" : \"ctx\"" + extra
                + "\n} ]";
    }

    private static String entityTrigger(String extra) {
        return "[ {\n  \"type\" : \"entityTrigger\",\n  \"direction\" : \"in\",\n  \"name\" : \"req\"" + extra
                + "\n} ]";
    }

    private static String activityTrigger(String name, String extra) {
        return "[ {\n  \"type\" : \"activityTrigger\",\n  \"direction\" : \"in\",\n  \"name\" : \"" + name + "\""
                + extra + "\n} ]";
    }

    private static String httpTrigger(String method, String route) {
        return "[ {\n  \"type\" : \"httpTrigger\",\n  \"direction\" : \"in\",\n  \"name\" : \"req\",\n"
                + "  \"methods\" : [ \"" + method + "\" ],\n"
                + (route == null ? "" : "  \"route\" : \"" + route + "\",\n")
                + "  \"authLevel\" : \"ANONYMOUS\"\n}, {\n  \"type\" : \"http\",\n  \"direction\" : \"out\",\n"
                + "  \"name\" : \"$return\"\n} ]";
    }

    /**
     * A host.json for the test app: the task hub, both concurrency limits, 2 partitions and queue polling backing
     * off to at most 1 s (so tests do not wait on idle polling).
     */
    public static String hostJson(String hubName, int maxConcurrency) {
        return """
                {
                  "version": "2.0",
                  "extensions": {
                    "durableTask": {
                      "hubName": "%s",
                      "maxConcurrentActivityFunctions": %d,
                      "maxConcurrentOrchestratorFunctions": %d,
                      "storageProvider": { "partitionCount": 2, "maxQueuePollingInterval": "00:00:01" }
                    }
                  }
                }""".formatted(hubName, maxConcurrency, maxConcurrency);
    }

    /**
     * Writes the test app with {@code hostJson} under {@code parent} and returns options to host it: a free port,
     * the test Azurite as storage, no app settings, a 5 s grace period, and the app's classes hidden from the parent
     * class loader.
     */
    public static HostOptions hostOptions(Path parent, String hostJson) {
        return HostOptions.defaults(write(parent, hostJson))
                .withPort(0)
                .withStorage(AzuriteExtension.connectionString())
                .withEnvironment(Map.of())
                .withAzuriteDir(parent.resolve("azurite-unused"))
                .withGracePeriod(Duration.ofSeconds(5))
                .withParentClassLoader(hidingParent());
    }

    /** A parent class loader for the app that hides {@link #PACKAGE_PREFIX} (so classes come from the jar). */
    public static ClassLoader hidingParent() {
        return new HidingClassLoader(TestApp.class.getClassLoader(), PACKAGE_PREFIX);
    }
}
