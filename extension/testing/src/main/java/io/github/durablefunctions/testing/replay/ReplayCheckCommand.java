package io.github.durablefunctions.testing.replay;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The replay check on the command line: replays history files ({@link HistoryFile}) against the app's current
 * orchestrator code, registered by a {@link ReplayCheckOrchestrations} class on the class path.
 *
 * <pre>
 * java -cp &lt;app test classes and dependencies&gt; io.github.durablefunctions.testing.replay.ReplayCheckCommand \
 *     --orchestrations com.example.MyOrchestrations --history order-42.json --history order-43.json
 * </pre>
 *
 * Prints one verdict per history ({@link ReplayCheckResult#describe()}) and exits with 0 when every history
 * replays, 1 when any does not (non-deterministic, the orchestrator failed, or no orchestrator of that name is
 * registered), and 2 for usage errors (bad options, a class that cannot be loaded or is not a
 * {@link ReplayCheckOrchestrations}, a history file that cannot be read).
 */
@Command(name = "replay-check",
        description = "Replays recorded orchestration histories against the current orchestrator code and reports "
                + "the first non-deterministic step of each.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every history replays", "1:a history does not replay (the first differing step is printed)",
                "2:usage error"})
public final class ReplayCheckCommand implements Callable<Integer> {
    /** Exit code: every history replays. */
    public static final int OK = 0;
    /** Exit code: at least one history does not replay. */
    public static final int NOT_REPLAYABLE = 1;
    /** Exit code: bad usage (options, classes, files). */
    public static final int USAGE = 2;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--history", required = true, arity = "1..*", paramLabel = "<file.json>",
            description = "A history file to replay (one execution each); repeat the option or list several.")
    List<Path> histories = new ArrayList<>();

    @Option(names = "--orchestrations", required = true, paramLabel = "<class>",
            description = "The fully qualified name of a public class with a public no-argument constructor that "
                    + "implements " + "io.github.durablefunctions.testing.replay.ReplayCheckOrchestrations.")
    String orchestrationsClass;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new ReplayCheckCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayCheckOrchestrations registration;
        try {
            registration = instantiate(orchestrationsClass);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        List<RecordedHistory> loaded = new ArrayList<>();
        for (Path file : histories) {
            try {
                loaded.add(HistoryFile.read(file));
            } catch (IllegalArgumentException | UncheckedIOException e) {
                err.println(e.getMessage());
                return USAGE;
            }
        }
        ReplayCheck check;
        try {
            ReplayCheck.Builder builder = ReplayCheck.builder().dataConverter(registration.dataConverter());
            registration.orchestrations().forEach(builder::addOrchestrator);
            check = builder.build();
        } catch (RuntimeException e) {
            err.println(orchestrationsClass + " did not register its orchestrations: " + e);
            return USAGE;
        }
        int failures = 0;
        for (int i = 0; i < loaded.size(); i++) {
            ReplayCheckResult result = check.check(loaded.get(i));
            out.println(histories.get(i) + ": " + result.describe());
            if (!result.isOk()) {
                failures++;
            }
        }
        out.println(failures == 0 ? "All " + loaded.size() + " histories replay."
                : failures + " of " + loaded.size() + " histories do not replay.");
        return failures == 0 ? OK : NOT_REPLAYABLE;
    }

    private static ReplayCheckOrchestrations instantiate(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("Cannot load the class " + className + " (is it on the class path?): "
                    + e, e);
        }
        if (!ReplayCheckOrchestrations.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(className + " does not implement "
                    + ReplayCheckOrchestrations.class.getName());
        }
        try {
            return (ReplayCheckOrchestrations) type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            throw new IllegalArgumentException(className + " needs a public no-argument constructor: " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("The constructor of " + className + " failed: " + e.getCause(), e);
        }
    }
}
