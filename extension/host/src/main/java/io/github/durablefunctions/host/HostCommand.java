package io.github.durablefunctions.host;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line: {@code durable-functions-host --app target/azure-functions/<appName>/ [--port 7071]
 * [--bind 127.0.0.1] [--storage <connection string>] [--azurite-dir .azurite] [--max-request-body-size 100m]}. Starts a {@link DurableHost},
 * prints its summary and runs until the process is stopped (Ctrl-C / SIGTERM), then stops it cleanly.
 *
 * <p>Exit status: 1 if the host cannot start (the message is printed without a stack trace unless
 * {@code --verbose}); 2 for a usage error; 0 after {@code --help}.
 */
@Command(name = "durable-functions-host", sortOptions = false,
        description = {"Runs a Java function app packaged by azure-functions-maven-plugin locally: HTTP-triggered"
                + " functions, durable orchestrations and activities on Azure Storage (or Azurite), and the Durable"
                + " Functions HTTP API."})
public final class HostCommand implements Callable<Integer> {

    @Option(names = "--app", required = true, paramLabel = "<folder>",
            description = "The staging folder 'mvn package' writes: target/azure-functions/<appName>/")
    Path app;

    @Option(names = "--port", paramLabel = "<port>", defaultValue = "7071",
            description = "The HTTP port (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int port;

    @Option(names = "--bind", paramLabel = "<address>", defaultValue = HostOptions.DEFAULT_BIND_ADDRESS,
            description = "The address to listen on (default: ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all).")
    String bind;

    @Option(names = "--storage", paramLabel = "<connection string>",
            description = "A storage connection string that overrides the app's AzureWebJobsStorage setting.")
    String storage;

    @Option(names = "--azurite-dir", paramLabel = "<folder>",
            description = "Where Azurite is installed and keeps its data when the host starts it"
                    + " (default: ./.azurite).")
    Path azuriteDir;

    @Option(names = "--grace-period", paramLabel = "<seconds>", defaultValue = "10",
            description = "How long shutdown waits for running functions (default: ${DEFAULT-VALUE} s).")
    long gracePeriodSeconds;

    @Option(names = "--max-request-body-size", paramLabel = "<size>", defaultValue = "100m",
            converter = ByteSizeConverter.class,
            description = "The largest request body HTTP functions and the durable task API accept; larger ones get"
                    + " 413. Bytes, or with a k, m or g suffix (KiB, MiB, GiB) (default: ${DEFAULT-VALUE}, the"
                    + " Functions host's limit).")
    long maxRequestBodySize;

    @Option(names = "--worker-id", paramLabel = "<id>",
            description = "This process's ID in the task hub's Partitions table (default: <hostname>-<pid>)."
                    + " Every process sharing a task hub needs its own.")
    String workerId;

    @Option(names = "--verbose", description = "Debug logging, and stack traces of startup errors.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final PrintStream out;
    private final PrintStream err;

    /** A command printing to {@code System.out} and {@code System.err}. */
    public HostCommand() {
        this(System.out, System.err);
    }

    HostCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The options the command line describes. */
    HostOptions options() {
        if (gracePeriodSeconds < 0) {
            throw new IllegalArgumentException("--grace-period must not be negative");
        }
        HostOptions options = HostOptions.defaults(app)
                .withPort(port)
                .withBindAddress(bind)
                .withStorage(storage)
                .withGracePeriod(Duration.ofSeconds(gracePeriodSeconds))
                .withMaxRequestBodySize(maxRequestBodySize)
                .withWorkerId(workerId);
        return azuriteDir == null ? options : options.withAzuriteDir(azuriteDir);
    }

    @Override
    public Integer call() {
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(Level.DEBUG);
        }
        DurableHost host;
        try {
            host = new DurableHost(options());
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            host.close();
            stopped.countDown();
        }, "host-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            host.start();
        } catch (HostStartupException e) {
            removeHook(hook);
            err.println("Error: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        } catch (RuntimeException e) {
            removeHook(hook);
            err.println("Error: the host failed to start: " + e + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
        out.println(host.summary());
        out.println("Press Ctrl+C to stop.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway and closing twice is harmless.
        }
    }

    /** Reads a byte count: digits, optionally followed by {@code k}, {@code m} or {@code g} (binary multiples). */
    static final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([kmg]?)(?:i?b)?",
                Pattern.CASE_INSENSITIVE);

        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim());
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size: use bytes, or a number"
                        + " with k, m or g (e.g. 4m)");
            }
            long number = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            if (number < 1 || number > (Long.MAX_VALUE >> shift)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is out of range: at least 1 byte");
            }
            return number << shift;
        }
    }
}
