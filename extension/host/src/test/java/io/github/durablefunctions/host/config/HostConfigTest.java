package io.github.durablefunctions.host.config;

import io.github.durablefunctions.host.HostStartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostConfigTest {
    private static final String DEV = "{\"IsEncrypted\": false, \"Values\": {\"AzureWebJobsStorage\": "
            + "\"UseDevelopmentStorage=true\", \"FUNCTIONS_WORKER_RUNTIME\": \"java\"}}";

    @TempDir
    Path tmp;

    private Path app(String hostJson, String localSettings) throws IOException {
        Path app = Files.createDirectories(tmp.resolve("target/azure-functions/app"));
        Files.writeString(app.resolve("host.json"), hostJson);
        if (localSettings != null) {
            Files.writeString(app.resolve("local.settings.json"), localSettings);
        }
        return app;
    }

    private HostConfig load(Path app, Map<String, String> env) throws HostStartupException {
        return HostConfig.load(app, null, env, tmp.resolve("elsewhere"));
    }

    @Test
    void appliesDurableFunctionsDefaultsToAMinimalHostJson() throws Exception {
        HostConfig config = load(app("{\"version\": \"2.0\"}", DEV), Map.of());

        DurableTaskOptions d = config.durableTask();
        assertThat(d.hubName()).isEqualTo("TestHubName");
        assertThat(d.connectionName()).isEqualTo("AzureWebJobsStorage");
        assertThat(d.partitionCount()).isEqualTo(4);
        assertThat(d.controlQueueBatchSize()).isEqualTo(32);
        assertThat(d.controlQueueBufferThreshold()).isEqualTo(256);
        assertThat(d.controlQueueVisibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.workItemQueueVisibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.maxQueuePollingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxDequeueCount()).isEqualTo(20);
        assertThat(d.maxConcurrentActivityFunctions()).isEqualTo(10 * Runtime.getRuntime().availableProcessors());
        assertThat(d.maxConcurrentOrchestratorFunctions()).isEqualTo(10 * Runtime.getRuntime().availableProcessors());
        assertThat(d.maxEntityOperationBatchSize()).isEqualTo(5000);
        assertThat(d.entityMessageReorderWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.routePrefix()).isEqualTo("api");
        assertThat(config.storageConnectionString()).isEqualTo("UseDevelopmentStorage=true");
        assertThat(config.usesDevelopmentStorage()).isTrue();
    }

    @Test
    void readsDurableTaskAndHttpSettingsWithDurationsAndAnyCase() throws Exception {
        String hostJson = """
                {
                  // comments are allowed, as in the Functions host
                  "version": "2.0",
                  "extensions": {
                    "http": { "routePrefix": "/functions/" },
                    "durableTask": {
                      "HubName": "MyHub",
                      "maxConcurrentActivityFunctions": 3,
                      "maxConcurrentOrchestratorFunctions": "2",
                      "storageProvider": {
                        "partitionCount": 2,
                        "controlQueueBatchSize": 16,
                        "controlQueueBufferThreshold": 64,
                        "controlQueueVisibilityTimeout": "00:01:30",
                        "workItemQueueVisibilityTimeout": "00:02:00",
                        "maxQueuePollingInterval": "00:00:05",
                        "MaxDequeueCount": 7,
                      }
                    }
                  }
                }""";
        HostConfig config = load(app(hostJson, DEV), Map.of());

        DurableTaskOptions d = config.durableTask();
        assertThat(d.hubName()).isEqualTo("MyHub");
        assertThat(d.partitionCount()).isEqualTo(2);
        assertThat(d.controlQueueBatchSize()).isEqualTo(16);
        assertThat(d.controlQueueBufferThreshold()).isEqualTo(64);
        assertThat(d.controlQueueVisibilityTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(d.workItemQueueVisibilityTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(d.maxQueuePollingInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.maxDequeueCount()).isEqualTo(7);
        assertThat(d.maxConcurrentActivityFunctions()).isEqualTo(3);
        assertThat(d.maxConcurrentOrchestratorFunctions()).isEqualTo(2);
        assertThat(config.routePrefix()).isEqualTo("functions");
    }

    @Test
    void readsTheEntitySettings() throws Exception {
        HostConfig config = load(app("""
                {"extensions": {"durableTask": {"maxEntityOperationBatchSize": 7,
                                                "EntityMessageReorderWindowInMinutes": 0}}}""", DEV), Map.of());
        assertThat(config.durableTask().maxEntityOperationBatchSize()).isEqualTo(7);
        assertThat(config.durableTask().entityMessageReorderWindow()).isZero();

        Path noBatch = app("{\"extensions\": {\"durableTask\": {\"maxEntityOperationBatchSize\": 0}}}", DEV);
        assertThatThrownBy(() -> load(noBatch, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("extensions.durableTask.maxEntityOperationBatchSize")
                .hasMessageContaining("at least 1");
        Path negativeWindow = app("{\"extensions\": {\"durableTask\": {\"entityMessageReorderWindowInMinutes\":"
                + " -1}}}", DEV);
        assertThatThrownBy(() -> load(negativeWindow, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("entityMessageReorderWindowInMinutes").hasMessageContaining("at least 0");
    }

    @Test
    void emptyRoutePrefixMeansNone() throws Exception {
        HostConfig config = load(app("{\"extensions\": {\"http\": {\"routePrefix\": \"\"}}}", DEV), Map.of());
        assertThat(config.routePrefix()).isEmpty();
    }

    @Test
    void resolvesAppSettingReferencesInTheHubName() throws Exception {
        String localSettings = "{\"Values\": {\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\","
                + " \"MyTaskHub\": \"OrdersHub\"}}";
        HostConfig config = load(app("{\"extensions\": {\"durableTask\": {\"hubName\": \"%MyTaskHub%\"}}}",
                localSettings), Map.of());
        assertThat(config.durableTask().hubName()).isEqualTo("OrdersHub");
    }

    @Test
    void aMissingReferencedSettingIsAClearError() throws Exception {
        Path app = app("{\"extensions\": {\"durableTask\": {\"hubName\": \"%MyTaskHub%\"}}}", DEV);
        assertThatThrownBy(() -> load(app, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("hubName").hasMessageContaining("'%MyTaskHub%'")
                .hasMessageContaining("not set");
    }

    @Test
    void environmentVariablesOverrideLocalSettingsValues() throws Exception {
        Path app = app("{\"extensions\": {\"durableTask\": {\"hubName\": \"%HubSetting%\"}}}",
                "{\"Values\": {\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\", \"HubSetting\": \"FromFile\"}}");
        HostConfig config = load(app, Map.of("HubSetting", "FromEnv",
                "AzureWebJobsStorage", "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5"));

        assertThat(config.durableTask().hubName()).isEqualTo("FromEnv");
        assertThat(config.storageConnectionString()).startsWith("DefaultEndpointsProtocol=http");
        assertThat(config.storageConnectionSource()).isEqualTo("AzureWebJobsStorage (environment)");
        assertThat(config.usesDevelopmentStorage()).isFalse();
    }

    @Test
    void theStorageOptionOverridesTheAppSetting() throws Exception {
        HostConfig config = HostConfig.load(app("{}", DEV), "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=x",
                Map.of(), tmp);
        assertThat(config.storageConnectionString()).isEqualTo("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=x");
        assertThat(config.storageConnectionSource()).isEqualTo("--storage");
    }

    @Test
    void theHubNameDefaultsToTheSiteNameWhenWebsiteSiteNameIsSet() throws Exception {
        HostConfig config = load(app("{}", DEV), Map.of("WEBSITE_SITE_NAME", "my-func-app"));
        assertThat(config.durableTask().hubName()).isEqualTo("myfuncapp");
    }

    @Test
    void findsLocalSettingsNextToTheStagingFolderOrInTheWorkingDirectory() throws Exception {
        Path app = app("{}", null);
        Path cwd = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(cwd.resolve("local.settings.json"),
                "{\"Values\": {\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"}}");

        HostConfig fromCwd = HostConfig.load(app, null, Map.of(), cwd);
        assertThat(fromCwd.settings().source()).isEqualTo(cwd.resolve("local.settings.json"));

        Files.writeString(app.getParent().resolve("local.settings.json"),
                "{\"Values\": {\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"}}");
        HostConfig nextToIt = HostConfig.load(app, null, Map.of(), cwd);
        assertThat(nextToIt.settings().source()).isEqualTo(app.getParent().resolve("local.settings.json"));
    }

    @Test
    void theStagingFoldersLocalSettingsWinsOverOthers() throws Exception {
        Path app = app("{}", DEV);
        Files.writeString(app.getParent().resolve("local.settings.json"), "{\"Values\": {}}");
        assertThat(load(app, Map.of()).settings().source()).isEqualTo(app.resolve("local.settings.json"));
    }

    @Test
    void withoutAStorageSettingTheHostUsesDevelopmentStorage() throws Exception {
        HostConfig config = load(app("{}", "{\"Values\": {\"AzureWebJobsStorage\": \"\"}}"), Map.of());
        assertThat(config.storageConnectionString()).isEqualTo("UseDevelopmentStorage=true");
        assertThat(config.storageConnectionSource()).isEqualTo("AzureWebJobsStorage not set: default");
        assertThat(config.usesDevelopmentStorage()).isTrue();
    }

    @Test
    void aStorageSettingThatIsNotAConnectionStringIsAClearError() throws Exception {
        Path app = app("{}", "{\"Values\": {\"AzureWebJobsStorage\": \"my-account\"}}");
        assertThatThrownBy(() -> load(app, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("AzureWebJobsStorage").hasMessageContaining("not a connection string");
    }

    @Test
    void storageConnectionNameSelectsAnotherSetting() throws Exception {
        Path app = app("{\"extensions\": {\"durableTask\": {\"storageProvider\": {\"connectionName\": \"Durable\"}}}}",
                "{\"Values\": {\"Durable\": \"UseDevelopmentStorage=true\"}}");
        HostConfig config = load(app, Map.of());
        assertThat(config.durableTask().connectionName()).isEqualTo("Durable");
        assertThat(config.usesDevelopmentStorage()).isTrue();
    }

    @Test
    void outOfRangeAndMistypedSettingsNameTheSetting() throws Exception {
        Path tooMany = app("{\"extensions\": {\"durableTask\": {\"storageProvider\": {\"partitionCount\": 17}}}}", DEV);
        assertThatThrownBy(() -> load(tooMany, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("extensions.durableTask.storageProvider.partitionCount")
                .hasMessageContaining("from 1 to 16").hasMessageContaining("17");

        Path oneDequeue = app("{\"extensions\": {\"durableTask\": {\"storageProvider\": {\"maxDequeueCount\": 1}}}}",
                DEV);
        assertThatThrownBy(() -> load(oneDequeue, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("extensions.durableTask.storageProvider.maxDequeueCount")
                .hasMessageContaining("from 2 to 1000").hasMessageContaining("was 1");

        Path badDuration = app("{\"extensions\": {\"durableTask\": {\"storageProvider\":"
                + " {\"maxQueuePollingInterval\": \"30 seconds\"}}}}", DEV);
        assertThatThrownBy(() -> load(badDuration, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("maxQueuePollingInterval").hasMessageContaining("hh:mm:ss");

        Path notANumber = app("{\"extensions\": {\"durableTask\": {\"maxConcurrentActivityFunctions\": \"many\"}}}",
                DEV);
        assertThatThrownBy(() -> load(notANumber, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("maxConcurrentActivityFunctions").hasMessageContaining("integer");
    }

    @Test
    void invalidHubNamesAreRejected() throws Exception {
        Path app = app("{\"extensions\": {\"durableTask\": {\"hubName\": \"my-hub\"}}}", DEV);
        assertThatThrownBy(() -> load(app, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("'my-hub'").hasMessageContaining("letters and digits");
    }

    @Test
    void badJsonGivesFileLineAndColumn() throws Exception {
        Path app = app("{\n  \"version\": \"2.0\",\n  \"extensions\": {\n}", DEV);
        assertThatThrownBy(() -> load(app, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("host.json is not valid JSON").hasMessageContaining("line");
    }

    @Test
    void aFolderWithoutHostJsonIsNotAnApp() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> load(empty, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("has no host.json");
        assertThatThrownBy(() -> load(tmp.resolve("missing"), Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void encryptedOrMalformedLocalSettingsAreRejected() throws Exception {
        Path encrypted = app("{}", "{\"IsEncrypted\": true, \"Values\": {}}");
        assertThatThrownBy(() -> load(encrypted, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("encrypted");
        Path nested = app("{}", "{\"Values\": {\"AzureWebJobsStorage\": {\"a\": 1}}}");
        assertThatThrownBy(() -> load(nested, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("\"Values\".AzureWebJobsStorage must be a string");
    }

    @Test
    void otherStorageProvidersAreRejected() throws Exception {
        Path app = app("{\"extensions\": {\"durableTask\": {\"storageProvider\": {\"type\": \"mssql\"}}}}", DEV);
        assertThatThrownBy(() -> load(app, Map.of())).isInstanceOf(HostStartupException.class)
                .hasMessageContaining("'mssql'").hasMessageContaining("only Azure Storage");
    }
}
