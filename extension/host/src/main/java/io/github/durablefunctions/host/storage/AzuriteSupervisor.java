package io.github.durablefunctions.host.storage;

import io.github.durablefunctions.azurestorage.azurite.Azurite;
import io.github.durablefunctions.azurestorage.azurite.AzuriteOptions;
import io.github.durablefunctions.host.HostStartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes development storage ({@code UseDevelopmentStorage=true}: Azurite on 127.0.0.1, blob 10000, queue 10001,
 * table 10002) available. If all three ports answer, whatever answers is used (a developer's own Azurite). If none
 * does, the host installs Azurite into {@code <azurite-dir>} on first use (npm, pinned version, by
 * {@link Azurite#start}) and starts it with persistent data in {@code <azurite-dir>/data}; {@link #close()} stops it.
 * If only some ports answer, something else holds them and the host refuses to guess.
 */
public final class AzuriteSupervisor implements AutoCloseable {
    /** The address development storage lives on. */
    public static final String HOST = "127.0.0.1";
    public static final int BLOB_PORT = 10000;
    public static final int QUEUE_PORT = 10001;
    public static final int TABLE_PORT = 10002;

    private static final Logger log = LoggerFactory.getLogger(AzuriteSupervisor.class);

    private final Azurite azurite;
    private final String description;

    private AzuriteSupervisor(Azurite azurite, String description) {
        this.azurite = azurite;
        this.description = description;
    }

    /**
     * Uses the running development storage or starts Azurite.
     *
     * @param azuriteDir where Azurite is installed and keeps its data ({@code data/}) when the host starts it
     * @throws HostStartupException if only some of the three ports answer, or Azurite cannot be installed or started
     *                              (the message says what to do: install Node.js/npm or start Azurite yourself)
     */
    public static AzuriteSupervisor ensureRunning(Path azuriteDir) throws HostStartupException {
        int[] ports = {BLOB_PORT, QUEUE_PORT, TABLE_PORT};
        List<Integer> listening = new ArrayList<>();
        for (int port : ports) {
            if (Azurite.isListening(HOST, port)) {
                listening.add(port);
            }
        }
        if (listening.size() == ports.length) {
            log.info("Development storage is already running on {} ports {}, {}, {}; using it", HOST, BLOB_PORT,
                    QUEUE_PORT, TABLE_PORT);
            return new AzuriteSupervisor(null, "already running on " + HOST);
        }
        if (!listening.isEmpty()) {
            throw new HostStartupException("The app uses development storage (UseDevelopmentStorage=true), but only"
                    + " port(s) " + listening + " of " + HOST + ":" + BLOB_PORT + "/" + QUEUE_PORT + "/" + TABLE_PORT
                    + " answer. Start Azurite with all three services (blob, queue, table), or free those ports so"
                    + " the host can start Azurite itself");
        }
        Path dir = azuriteDir.toAbsolutePath().normalize();
        Path dataDir = dir.resolve("data");
        log.info("Starting Azurite on {} (installed in {} on first use; data in {})", HOST, dir, dataDir);
        try {
            Azurite azurite = Azurite.start(new AzuriteOptions(dir, dataDir, HOST, BLOB_PORT, QUEUE_PORT, TABLE_PORT,
                    false));
            return new AzuriteSupervisor(azurite, "Azurite started by the host, data in " + dataDir);
        } catch (IOException | RuntimeException e) {
            throw new HostStartupException("The app uses development storage (UseDevelopmentStorage=true) and none"
                    + " is running, and Azurite could not be started from " + dir + ": " + e.getMessage()
                    + ". Azurite needs Node.js and npm; or start Azurite yourself on ports " + BLOB_PORT + "-"
                    + TABLE_PORT, e);
        }
    }

    /** True if the host started Azurite (and stops it on {@link #close()}). */
    public boolean startedByHost() {
        return azurite != null;
    }

    /** For the startup summary: who runs development storage, and where its data is. */
    public String description() {
        return description;
    }

    /** Stops Azurite if the host started it. */
    @Override
    public void close() {
        if (azurite != null) {
            log.info("Stopping Azurite");
            azurite.close();
        }
    }
}
