package io.github.durablefunctions.azurestorage.azurite;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Azurite launcher: persistent mode, stop on close, and a clear error when Azurite cannot start. */
class AzuriteTest {

    @Test
    void persistentAzuriteKeepsItsDataInTheDataDirAndStopsOnClose(@TempDir Path dataDir) throws Exception {
        int queuePort;
        try (Azurite azurite = Azurite.start(new AzuriteOptions(AzuriteExtension.installDir(), dataDir, "127.0.0.1",
                0, 0, 0, false))) {
            queuePort = azurite.queuePort();
            assertThat(azurite.blobPort()).isPositive().isNotEqualTo(azurite.queuePort());
            QueueClient queue = new QueueServiceClientBuilder().connectionString(azurite.connectionString())
                    .buildClient().getQueueClient("persisted");
            queue.create();
            queue.sendMessage("hello");
            assertThat(Azurite.isListening("127.0.0.1", queuePort)).isTrue();
        }
        assertThat(Azurite.isListening("127.0.0.1", queuePort)).isFalse();
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("__azurite_db_queue"));
        }
    }

    @Test
    void aPortInUseFailsWithAzuritesOutput() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            AzuriteOptions options = new AzuriteOptions(AzuriteExtension.installDir(), null, "127.0.0.1",
                    taken.getLocalPort(), 0, 0, true);
            assertThatThrownBy(() -> Azurite.start(options)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Azurite exited").hasMessageContaining("EADDRINUSE");
        }
    }

    @Test
    void optionsAreValidated() {
        Path dir = Path.of("x");
        assertThatThrownBy(() -> new AzuriteOptions(dir, null, "127.0.0.1", 0, 0, 0, false))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("dataDir");
        assertThatThrownBy(() -> new AzuriteOptions(dir, dir, "127.0.0.1", 70000, 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blobPort");
    }
}
