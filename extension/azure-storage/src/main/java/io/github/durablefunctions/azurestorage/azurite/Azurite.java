package io.github.durablefunctions.azurestorage.azurite;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Azurite (Azure Storage emulator) process: blob, queue and table services, for development and tests.
 *
 * <p>{@link #start(AzuriteOptions)} installs the npm package {@code azurite@3.37.0} into the options' install
 * directory if it is not there yet (reproducibly: {@code npm ci} over the {@code package.json} and
 * {@code package-lock.json} shipped as resources of this class; a file lock keeps concurrent JVMs from racing),
 * then runs
 * {@code node <installDir>/node_modules/azurite/dist/src/azurite.js --blobHost H --queueHost H --tableHost H
 * --blobPort P --queuePort P --tablePort P --location <dataDir> --skipApiVersionCheck --disableTelemetry}
 * (with {@code --inMemoryPersistence} instead of {@code --location} for in-memory mode; Azurite refuses both
 * together), and waits until the three ports accept connections. Facts from toolchain.md ("Azurite").
 *
 * <p>Requires {@code node} (20 or later) and {@code npm} on the {@code PATH}; the system properties
 * {@code azurite.node} and {@code azurite.npm} override the executables. {@link #close()} stops the process and its
 * children.
 */
public final class Azurite implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Azurite.class);

    /** The account name every Azurite accepts. */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    /** The well-known key of {@link #ACCOUNT_NAME} (public, documented by Microsoft for the emulators). */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /**
     * What {@code UseDevelopmentStorage=true} means, spelled out: Azurite on 127.0.0.1 with blob 10000, queue 10001
     * and table 10002 (toolchain.md).
     */
    public static final String DEVELOPMENT_STORAGE_CONNECTION_STRING = connectionString("127.0.0.1", 10000, 10001,
            10002);

    /** The Azurite npm version installed, matching the shipped lock file. */
    public static final String AZURITE_VERSION = "3.37.0";

    private static final String RESOURCE_DIR = "/io/github/durablefunctions/azurestorage/azurite/";
    private static final String MARKER_FILE = ".durable-functions-azurite-installed";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern LISTENING = Pattern.compile(
            "Azurite (Blob|Queue|Table) service is successfully listening at https?://[^\\s:]+:(\\d+)");
    private static final int OUTPUT_LINES_KEPT = 200;

    private final Process process;
    private final String host;
    private final int blobPort;
    private final int queuePort;
    private final int tablePort;
    private final OutputCollector output;

    private Azurite(Process process, String host, int blobPort, int queuePort, int tablePort,
                    OutputCollector output) {
        this.process = process;
        this.host = host;
        this.blobPort = blobPort;
        this.queuePort = queuePort;
        this.tablePort = tablePort;
        this.output = output;
    }

    /**
     * Installs Azurite if needed, starts it and waits until its three services accept connections (at most 60 s).
     *
     * @throws IOException if npm or node cannot be run, the installation fails, or Azurite exits or does not listen
     *                     in time; the message includes Azurite's (or npm's) output
     */
    public static Azurite start(AzuriteOptions options) throws IOException {
        Path installDir = options.installDir().toAbsolutePath();
        install(installDir);
        Path workDir = options.dataDir() != null ? options.dataDir().toAbsolutePath() : installDir;
        Files.createDirectories(workDir);

        List<String> command = new ArrayList<>(List.of(
                executable("azurite.node", "node"),
                installDir.resolve("node_modules/azurite/dist/src/azurite.js").toString(),
                "--blobHost", options.host(), "--queueHost", options.host(), "--tableHost", options.host(),
                "--blobPort", Integer.toString(options.blobPort()),
                "--queuePort", Integer.toString(options.queuePort()),
                "--tablePort", Integer.toString(options.tablePort())));
        if (options.inMemory()) {
            command.add("--inMemoryPersistence");
        } else {
            command.addAll(List.of("--location", workDir.toString()));
        }
        command.addAll(List.of("--skipApiVersionCheck", "--disableTelemetry"));

        log.info("Starting Azurite {}: {}", AZURITE_VERSION, String.join(" ", command));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        OutputCollector output = new OutputCollector(process.getInputStream());
        output.start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int[] ports = new int[3];
        String connectHost = connectHost(options.host());
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("Azurite exited with code " + process.exitValue()
                            + " before it was ready. Its output:\n" + output.text());
                }
                // Ready when Azurite itself reported all three services listening (so a port held by another
                // process is not mistaken for ours) and each port accepts connections.
                boolean ready = true;
                for (int i = 0; i < 3; i++) {
                    ports[i] = output.listeningPort(i);
                    if (ports[i] == 0 || !isListening(connectHost, ports[i])) {
                        ready = false;
                    }
                }
                if (ready) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("Azurite did not accept connections on " + connectHost + " within "
                            + START_TIMEOUT.toSeconds() + " s. Its output:\n" + output.text());
                }
                Thread.sleep(100);
            }
        } catch (IOException | RuntimeException e) {
            stop(process);
            throw e;
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for Azurite to start", e);
        }
        Azurite azurite = new Azurite(process, connectHost, ports[0], ports[1], ports[2], output);
        log.info("Azurite is ready: blob {}, queue {}, table {} on {}", ports[0], ports[1], ports[2], connectHost);
        return azurite;
    }

    /**
     * An explicit connection string for this Azurite:
     * {@code DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=...;BlobEndpoint=http://H:P/devstoreaccount1;QueueEndpoint=...;TableEndpoint=...}.
     */
    public String connectionString() {
        return connectionString(host, blobPort, queuePort, tablePort);
    }

    /** The blob service port. */
    public int blobPort() {
        return blobPort;
    }

    /** The queue service port. */
    public int queuePort() {
        return queuePort;
    }

    /** The table service port. */
    public int tablePort() {
        return tablePort;
    }

    /** Whether the Azurite process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines Azurite printed (at most 200), for diagnostics. */
    public String recentOutput() {
        return output.text();
    }

    /**
     * Whether something accepts TCP connections on {@code host:port} (within 500 ms).
     *
     * @param host a host name or address
     * @param port a port number
     * @return true if a connection could be opened
     */
    public static boolean isListening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The operating-system process ID of the Azurite (node) process, e.g. to pause it with {@code kill -STOP} in fault
     * tests.
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Stops Azurite and its child processes (SIGTERM; waits up to 10 s, then kills them). Idempotent. With data on
     * disk, Azurite 3.37 saves its metadata every 5 s and may exit before saving writes of the last few seconds: a
     * restart can miss them.
     */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static String connectionString(String host, int blobPort, int queuePort, int tablePort) {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT_NAME + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=http://" + host + ":" + blobPort + "/" + ACCOUNT_NAME
                + ";QueueEndpoint=http://" + host + ":" + queuePort + "/" + ACCOUNT_NAME
                + ";TableEndpoint=http://" + host + ":" + tablePort + "/" + ACCOUNT_NAME + ";";
    }

    private static String connectHost(String listenHost) {
        return listenHost.equals("0.0.0.0") || listenHost.equals("::") ? "127.0.0.1" : listenHost;
    }

    // ---------------------------------------------------------------------------------------------- install

    /**
     * Installs the pinned Azurite into {@code installDir} unless the lock file there is already installed. Holds an
     * exclusive file lock on {@code installDir/.install.lock} meanwhile, so concurrent JVMs install once
     * (synchronized as well: a JVM cannot hold two locks on one file).
     */
    static synchronized void install(Path installDir) throws IOException {
        byte[] packageJson = resource("package.json");
        byte[] packageLock = resource("package-lock.json");
        String fingerprint = sha256(packageJson, packageLock);
        Files.createDirectories(installDir);
        Path marker = installDir.resolve(MARKER_FILE);
        Path entryPoint = installDir.resolve("node_modules/azurite/dist/src/azurite.js");
        if (isInstalled(marker, entryPoint, fingerprint)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(installDir.resolve(".install.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            log.debug("Holding {} on {}", lock, installDir);
            if (isInstalled(marker, entryPoint, fingerprint)) {
                return; // another JVM installed it while we waited for the lock
            }
            Files.deleteIfExists(marker);
            Files.write(installDir.resolve("package.json"), packageJson);
            Files.write(installDir.resolve("package-lock.json"), packageLock);
            List<String> command = List.of(executable("azurite.npm", npmName()), "ci", "--ignore-scripts",
                    "--no-audit", "--no-fund", "--loglevel=error");
            log.info("Installing Azurite {} into {} ({})", AZURITE_VERSION, installDir, String.join(" ", command));
            Process npm;
            try {
                npm = new ProcessBuilder(command).directory(installDir.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("Cannot run npm to install Azurite (is Node.js with npm on the PATH?): "
                        + e.getMessage(), e);
            }
            OutputCollector output = new OutputCollector(npm.getInputStream());
            output.start();
            boolean finished = npm.waitFor(INSTALL_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
            if (!finished) {
                stop(npm);
                throw new IOException("npm ci did not finish within " + INSTALL_TIMEOUT.toMinutes()
                        + " minutes in " + installDir + ". Its output:\n" + output.text());
            }
            output.join(5_000);
            if (npm.exitValue() != 0 || !Files.isRegularFile(entryPoint)) {
                throw new IOException("Installing Azurite with npm ci in " + installDir + " failed (exit code "
                        + npm.exitValue() + "). Its output:\n" + output.text());
            }
            Files.writeString(marker, fingerprint + "\n");
            log.info("Installed Azurite {} into {}", AZURITE_VERSION, installDir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while installing Azurite", e);
        }
    }

    private static boolean isInstalled(Path marker, Path entryPoint, String fingerprint) throws IOException {
        return Files.isRegularFile(entryPoint) && Files.isRegularFile(marker)
                && Files.readString(marker).trim().equals(fingerprint);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Azurite.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IOException("Resource " + RESOURCE_DIR + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String executable(String property, String defaultName) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? defaultName : value;
    }

    private static String npmName() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win") ? "npm.cmd" : "npm";
    }

    /** Reads a process's output on a daemon thread: keeps the last lines and the ports Azurite reports. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final ArrayDeque<String> lines = new ArrayDeque<>();
        private final int[] ports = new int[3];

        OutputCollector(InputStream in) {
            super("azurite-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    log.debug("azurite: {}", line);
                    Matcher m = LISTENING.matcher(line);
                    synchronized (this) {
                        if (m.find()) {
                            int index = switch (m.group(1)) {
                                case "Blob" -> 0;
                                case "Queue" -> 1;
                                default -> 2;
                            };
                            ports[index] = Integer.parseInt(m.group(2));
                        }
                        lines.addLast(line);
                        if (lines.size() > OUTPUT_LINES_KEPT) {
                            lines.removeFirst();
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                log.debug("Reading process output stopped: {}", e.toString());
            }
        }

        synchronized int listeningPort(int index) {
            return ports[index];
        }

        synchronized String text() {
            return String.join("\n", lines);
        }
    }
}
