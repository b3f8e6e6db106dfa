package io.github.durablefunctions.azurestorage.azurite;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to install and start a local Azurite (the Azure Storage emulator) with {@link Azurite#start(AzuriteOptions)}.
 *
 * @param installDir where the pinned {@code azurite} npm package is installed ({@code <installDir>/node_modules});
 *                   created if missing. Several JVMs may share it: installation is guarded by a file lock.
 * @param dataDir    where Azurite keeps its data ({@code --location}); also the working directory of the process.
 *                   May be null when {@code inMemory} is true (the install directory is then the working directory).
 * @param host       the address the three services listen on, e.g. {@code 127.0.0.1}
 * @param blobPort   the blob service port; 0 = let Azurite choose a free port
 * @param queuePort  the queue service port; 0 = let Azurite choose a free port
 * @param tablePort  the table service port; 0 = let Azurite choose a free port
 * @param inMemory   true to keep all data in memory ({@code --inMemoryPersistence}); nothing survives a restart
 */
public record AzuriteOptions(Path installDir, Path dataDir, String host, int blobPort, int queuePort, int tablePort,
                             boolean inMemory) {

    /**
     * @throws NullPointerException     if {@code installDir} or {@code host} is null, or {@code dataDir} is null while
     *                                  {@code inMemory} is false
     * @throws IllegalArgumentException if a port is outside 0..65535
     */
    public AzuriteOptions {
        Objects.requireNonNull(installDir, "installDir");
        Objects.requireNonNull(host, "host");
        if (!inMemory) {
            Objects.requireNonNull(dataDir, "dataDir (required unless inMemory)");
        }
        checkPort(blobPort, "blobPort");
        checkPort(queuePort, "queuePort");
        checkPort(tablePort, "tablePort");
    }

    /** In-memory Azurite on 127.0.0.1 with three free ports: what tests use. */
    public static AzuriteOptions inMemoryOnFreePorts(Path installDir) {
        return new AzuriteOptions(installDir, null, "127.0.0.1", 0, 0, 0, true);
    }

    /**
     * Persistent Azurite on 127.0.0.1 with the well-known ports 10000 (blob), 10001 (queue), 10002 (table): what
     * {@code UseDevelopmentStorage=true} points at.
     */
    public static AzuriteOptions developmentStorage(Path installDir, Path dataDir) {
        return new AzuriteOptions(installDir, dataDir, "127.0.0.1", 10000, 10001, 10002, false);
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 0 and 65535, was " + port);
        }
    }
}
