package io.github.durablefunctions.host;

import io.github.durablefunctions.host.testing.StagingFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HostCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final StringWriter usageOut = new StringWriter();
    private final StringWriter usageErr = new StringWriter();

    private int run(String... args) {
        HostCommand command = new HostCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(usageOut, true));
        cli.setErr(new PrintWriter(usageErr, true));
        return cli.execute(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheOptions() {
        assertThat(run("--help")).isZero();
        assertThat(usageOut.toString()).contains("--app", "--port", "--bind", "--storage", "--azurite-dir",
                "--max-request-body-size", "--worker-id", "--help", "7071", "127.0.0.1");
    }

    @Test
    void aMissingAppOptionIsAUsageError() {
        assertThat(run("--port", "8080")).isEqualTo(2);
        assertThat(usageErr.toString()).contains("Missing required option: '--app=<folder>'");
    }

    @Test
    void aMissingAppFolderIsAClearErrorWithoutStackTrace() {
        assertThat(run("--app", tmp.resolve("nothing").toString())).isEqualTo(1);
        assertThat(err()).startsWith("Error: The app folder").contains("does not exist")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void aBrokenFunctionJsonIsAClearError() {
        Path app = StagingFolder.at(tmp.resolve("app")).hostJson("{\"version\": \"2.0\"}")
                .localSettings("{\"Values\": {\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"}}")
                .file("Hello/function.json", "{ \"scriptFile\": ").dir();
        assertThat(run("--app", app.toString())).isEqualTo(1);
        assertThat(err()).startsWith("Error: ").contains("Hello").contains("function.json is not valid JSON")
                .doesNotContain("\tat ");
    }

    @Test
    void optionsMapToHostOptions() {
        HostCommand command = new HostCommand();
        new CommandLine(command).parseArgs("--app", "target/azure-functions/app", "--port", "0", "--bind", "0.0.0.0",
                "--storage", "UseDevelopmentStorage=true", "--azurite-dir", "/tmp/az", "--grace-period", "3",
                "--worker-id", "web-1");
        HostOptions options = command.options();
        assertThat(options.appDir()).isEqualTo(Path.of("target/azure-functions/app"));
        assertThat(options.port()).isZero();
        assertThat(options.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(options.storage()).isEqualTo("UseDevelopmentStorage=true");
        assertThat(options.azuriteDir()).isEqualTo(Path.of("/tmp/az"));
        assertThat(options.gracePeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.workerId()).isEqualTo("web-1");

        HostCommand defaults = new HostCommand();
        new CommandLine(defaults).parseArgs("--app", "x");
        assertThat(defaults.options().port()).isEqualTo(7071);
        assertThat(defaults.options().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(defaults.options().storage()).isNull();
        assertThat(defaults.options().azuriteDir()).isEqualTo(Path.of("").toAbsolutePath().resolve(".azurite"));
        assertThat(defaults.options().maxRequestBodySize()).isEqualTo(100L * 1024 * 1024);
        assertThat(defaults.options().workerId()).as("null: the backend's <hostname>-<pid> default").isNull();
    }

    @Test
    void theRequestBodyLimitTakesBytesOrASuffix() {
        for (String[] c : new String[][]{{"4m", "4194304"}, {"512k", "524288"}, {"1G", "1073741824"},
                {"2MiB", "2097152"}, {"1000", "1000"}}) {
            HostCommand command = new HostCommand();
            new CommandLine(command).parseArgs("--app", "x", "--max-request-body-size", c[0]);
            assertThat(command.options().maxRequestBodySize()).as(c[0]).isEqualTo(Long.parseLong(c[1]));
        }
        assertThat(run("--app", "x", "--max-request-body-size", "lots")).isEqualTo(2);
        assertThat(usageErr.toString()).contains("'lots' is not a size");
        assertThat(run("--app", "x", "--max-request-body-size", "0")).isEqualTo(2);
    }
}
