package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.OrchestratorFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCheckCommandTest {
    /** The recorded code. */
    public static class Unchanged implements ReplayCheckOrchestrations {
        @Override
        public Map<String, OrchestratorFunction<?>> orchestrations() {
            return Map.of(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1);
        }
    }

    /** The weather activity renamed. */
    public static class Renamed implements ReplayCheckOrchestrations {
        @Override
        public Map<String, OrchestratorFunction<?>> orchestrations() {
            return Map.of(ReplayCheckTest.NAME, ReplayCheckTest::forecastRenamed);
        }
    }

    /** Not a registration. */
    public static class NotOrchestrations {
    }

    @TempDir
    Path dir;
    Path completed;
    Path running;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void recordHistories() {
        completed = dir.resolve("completed.json");
        HistoryFile.write(completed, new HistoryRecorder(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1)
                .start("forecast-1", "\"Oslo\"")
                .completeActivities(t -> "\"x\"").completeActivities(t -> "\"y\"").completeActivities(t -> "\"z\"")
                .recorded());
        running = dir.resolve("running.json");
        HistoryFile.write(running, new HistoryRecorder(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1)
                .start("forecast-2", "\"Oslo\"")
                .completeActivities(t -> "\"x\"")
                .recorded());
    }

    private int run(String... args) {
        return ReplayCheckCommand.run(args, new PrintWriter(out), new PrintWriter(err));
    }

    private static String nameOf(Class<?> type) {
        return type.getName();
    }

    @Test
    void exitsZeroWhenEveryHistoryReplays() {
        int code = run("--orchestrations", nameOf(Unchanged.class), "--history", completed.toString(),
                "--history", running.toString());
        assertThat(code).as(out + "\n" + err).isEqualTo(0);
        assertThat(out.toString()).contains("All 2 histories replay.").contains("OK: orchestration 'Forecast'");
    }

    @Test
    void exitsOneAndPrintsTheFirstDifferingStepWhenAHistoryDoesNotReplay() {
        int code = run("--orchestrations", nameOf(Renamed.class), "--history", completed.toString(),
                running.toString());
        assertThat(code).as(out + "\n" + err).isEqualTo(1);
        assertThat(out.toString())
                .contains("NON_DETERMINISTIC: orchestration 'Forecast' (instance 'forecast-1')")
                .contains("TaskScheduled #1 (activity 'GetWeather')")
                .contains("'GetForecast'")
                .contains("2 of 2 histories do not replay.");
    }

    @Test
    void exitsTwoForUsageErrors() throws Exception {
        assertThat(run("--history", completed.toString())).as("no --orchestrations").isEqualTo(2);
        assertThat(err.toString()).contains("--orchestrations");

        assertThat(run("--orchestrations", nameOf(Unchanged.class))).as("no --history").isEqualTo(2);
        assertThat(run("--orchestrations", "com.example.Missing", "--history", completed.toString()))
                .as("unknown class").isEqualTo(2);
        assertThat(err.toString()).contains("Cannot load the class com.example.Missing");
        assertThat(run("--orchestrations", nameOf(NotOrchestrations.class), "--history", completed.toString()))
                .as("not a registration").isEqualTo(2);
        assertThat(err.toString()).contains("does not implement");

        assertThat(run("--orchestrations", nameOf(Unchanged.class), "--history", dir.resolve("none.json")
                .toString())).as("missing file").isEqualTo(2);
        Path notHistory = dir.resolve("not-history.json");
        Files.writeString(notHistory, "{\"events\": 3}");
        assertThat(run("--orchestrations", nameOf(Unchanged.class), "--history", notHistory.toString()))
                .as("not a history file").isEqualTo(2);
        assertThat(err.toString()).contains("not-history.json is not a history file");
    }
}
