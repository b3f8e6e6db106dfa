package io.github.durablefunctions.host;

import picocli.CommandLine;

/**
 * Entry point of the local host: {@code java -cp <host class path> io.github.durablefunctions.host.Main --app
 * target/azure-functions/<appName>/}. See {@link HostCommand} for the options.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line. Returns normally after a clean shutdown (the JVM is already exiting then); exits with
     * the command's status otherwise.
     */
    public static void main(String[] args) {
        int status = new CommandLine(new HostCommand()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }
}
