package io.github.durablefunctions.samples;

import io.github.durablefunctions.testing.DurableTestHarness;
import io.github.durablefunctions.testing.replay.HistoryFile;
import io.github.durablefunctions.testing.replay.HistoryLoader;
import io.github.durablefunctions.testing.replay.RecordedHistory;
import io.github.durablefunctions.testing.replay.ReplayCheck;
import io.github.durablefunctions.testing.replay.ReplayCheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay check on a real history: {@code HelloCities} runs in the harness, its history is exported to a JSON
 * file, and the file is replayed against the sample's current code (passes), against a version that renamed an
 * activity and against one that reordered two calls (both fail, naming the first step that differs).
 */
class ReplayCheckSampleTest {
    @RegisterExtension
    final DurableTestHarness harness = DurableTestHarness.builder().functions(HelloCities.class).build();

    @TempDir
    Path dir;

    @Test
    void aRecordedHistoryReplaysAgainstTheSameCodeAndCatchesChangedCode() {
        String id = harness.client().scheduleNewOrchestrationInstance("HelloCities");
        harness.waitForCompletion(id);
        Path file = dir.resolve("hello.json");
        new HistoryLoader(harness.service()).export(id, file);
        RecordedHistory recorded = HistoryFile.read(file);

        ReplayCheckResult same = ReplayCheck.builder()
                .addOrchestrator("HelloCities", ctx -> new HelloCities().helloCities(ctx)).build().check(recorded);
        assertThat(same.isOk()).as(same.describe()).isTrue();

        ReplayCheckResult renamed = ReplayCheck.builder().addOrchestrator("HelloCities", ctx -> {
            List<String> out = new ArrayList<>();
            out.add(ctx.callActivity("SayHello", "Tokyo", String.class).await());
            out.add(ctx.callActivity("Greet", "Seattle", String.class).await()); // was SayHello
            out.add(ctx.callActivity("SayHello", "London", String.class).await());
            return out;
        }).build().check(recorded);
        assertThat(renamed.status()).isEqualTo(ReplayCheckResult.Status.NON_DETERMINISTIC);
        assertThat(renamed.message()).contains("SayHello").contains("Greet");

        ReplayCheckResult reordered = ReplayCheck.builder().addOrchestrator("HelloCities", ctx -> {
            ctx.createTimer(java.time.Duration.ofSeconds(1)).await(); // moved before the calls
            List<String> out = new ArrayList<>();
            for (String city : List.of("Tokyo", "Seattle", "London")) {
                out.add(ctx.callActivity("SayHello", city, String.class).await());
            }
            return out;
        }).build().check(recorded);
        assertThat(reordered.status()).isEqualTo(ReplayCheckResult.Status.NON_DETERMINISTIC);
        assertThat(reordered.historyIndex()).as("the first step that differs").isNotNull();

        ReplayCheckResult swappedInputs = ReplayCheck.builder().addOrchestrator("HelloCities", ctx -> {
            List<String> out = new ArrayList<>();
            for (String city : List.of("Seattle", "Tokyo", "London")) {
                out.add(ctx.callActivity("SayHello", city, String.class).await());
            }
            return out;
        }).build().check(recorded);
        assertThat(swappedInputs.isOk()).as("as in Durable Functions, only names and kinds of steps are compared, "
                + "not their inputs").isTrue();
    }
}
