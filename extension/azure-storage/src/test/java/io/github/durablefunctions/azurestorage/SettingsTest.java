package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.azurestorage.azurite.Azurite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings defaults and validation (storage-layout.md §1.1, §10). */
class SettingsTest {

    @Test
    void defaults() {
        AzureStorageOrchestrationServiceSettings s = AzureStorageOrchestrationServiceSettings
                .builder("UseDevelopmentStorage=true", "MyHub").build();
        assertThat(s.getTaskHubName()).isEqualTo("MyHub");
        assertThat(s.getPartitionCount()).isEqualTo(4);
        assertThat(s.getControlQueueBatchSize()).isEqualTo(32);
        assertThat(s.getControlQueueBufferThreshold()).isEqualTo(256);
        assertThat(s.getControlQueueVisibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.getWorkItemQueueVisibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.getMaxQueuePollingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.getMaxDequeueCount()).isEqualTo(20);
        assertThat(s.getWorkerId()).endsWith("-" + ProcessHandle.current().pid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "1hub", "my-hub", "my_hub", "hub name", "a234567890123456789012345678901234567890123456"})
    void invalidHubNamesAreRejected(String name) {
        assertThatThrownBy(() -> AzureStorageOrchestrationServiceSettings.builder("UseDevelopmentStorage=true", name))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "TestHubName", "Hub1", "a23456789012345678901234567890123456789012345"})
    void validHubNamesAreAccepted(String name) {
        assertThat(AzureStorageOrchestrationServiceSettings.builder("UseDevelopmentStorage=true", name).build()
                .getTaskHubName()).isEqualTo(name);
    }

    @Test
    void rangesAreChecked() {
        var b = AzureStorageOrchestrationServiceSettings.builder("UseDevelopmentStorage=true", "MyHub");
        assertThatThrownBy(() -> b.partitionCount(0)).hasMessageContaining("partitionCount");
        assertThatThrownBy(() -> b.partitionCount(17)).hasMessageContaining("partitionCount");
        assertThatThrownBy(() -> b.controlQueueBatchSize(33)).hasMessageContaining("controlQueueBatchSize");
        assertThatThrownBy(() -> b.workerId(" ")).hasMessageContaining("workerId");
        assertThatThrownBy(() -> b.maxDequeueCount(1)).hasMessageContaining("maxDequeueCount")
                .hasMessageContaining("between 2 and 1000");
        assertThatThrownBy(() -> b.maxDequeueCount(1001)).hasMessageContaining("maxDequeueCount");
        assertThat(b.maxDequeueCount(2).build().getMaxDequeueCount()).isEqualTo(2);
        assertThatThrownBy(() -> AzureStorageOrchestrationServiceSettings.builder("", "MyHub"))
                .hasMessageContaining("connection string");
    }

    @Test
    void developmentStorageMapsToTheExplicitAzuriteString() {
        assertThat(StorageClients.resolveConnectionString("UseDevelopmentStorage=true"))
                .isEqualTo(Azurite.DEVELOPMENT_STORAGE_CONNECTION_STRING);
        assertThat(StorageClients.resolveConnectionString("usedevelopmentstorage=TRUE;"))
                .isEqualTo(Azurite.DEVELOPMENT_STORAGE_CONNECTION_STRING);
        assertThat(Azurite.DEVELOPMENT_STORAGE_CONNECTION_STRING).isEqualTo(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                        + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                        + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
                        + "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
                        + "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;");
        String account = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eQ==;EndpointSuffix=core.windows.net";
        assertThat(StorageClients.resolveConnectionString(account)).isEqualTo(account);
    }
}
