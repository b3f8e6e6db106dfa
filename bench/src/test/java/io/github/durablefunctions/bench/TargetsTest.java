package io.github.durablefunctions.bench;

import io.github.durablefunctions.bench.scenarios.Scenario;
import io.github.durablefunctions.bench.scenarios.Scenarios;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetsTest {
    static ScenarioResult helloCities(double eventsPerSecond, double txPerOrchestration) {
        return new ScenarioResult("HelloCities5", "Hub", true, null, 1L << 30, 1000, 5000L, 10000L, null,
                10_000.0, eventsPerSecond, eventsPerSecond / 10, eventsPerSecond / 2, null, 100.0, 200.0, 300.0,
                400.0, (long) (txPerOrchestration * 1000), Map.of("queue.put", 1L), txPerOrchestration,
                txPerOrchestration / 10, 5L, null, null, 1L, 1L, null, null, "notes");
    }

    @Test
    void efficiencyIsEventsPerSecondOverTheBoundAtFourTransactionsPerEvent() {
        StorageLimit.Result limit = new StorageLimit.Result(20, 10, 40_000, 4_000, Map.of(), 4, 1_000);
        assertThat(Targets.efficiency(helloCities(600, 30), limit)).isEqualTo(0.6);
    }

    @Test
    void helloCitiesChecksEventsTransactionsAndEfficiency() {
        ScenarioResult r = helloCities(600, 45);
        r = r.withEvaluation(0.4, List.of());
        List<Targets.Check> checks = Targets.evaluate(r);
        assertThat(checks).extracting(Targets.Check::metric)
                .containsExactly("events/s", "tx/orchestration", "efficiency");
        assertThat(checks).extracting(Targets.Check::met).containsExactly(true, false, false);
        assertThat(checks.get(2).measured()).isEqualTo("40 %");
    }

    @Test
    void aFailedScenarioMeetsNoTarget() {
        ScenarioResult failed = ScenarioResult.failed("Latency", "Hub", "timeout");
        assertThat(Targets.evaluate(failed)).extracting(Targets.Check::met).containsOnly(false);
        assertThat(Targets.efficiency(failed, new StorageLimit.Result(1, 1, 1, 1, Map.of(), 4, 1))).isNull();
    }

    @Test
    void scenarioListsKeepRunOrderAndRejectUnknownNames() {
        assertThat(Scenarios.parse("latency, HelloCities5")).extracting(Scenario::name)
                .containsExactly("HelloCities5", "Latency");
        assertThat(Scenarios.parse("all")).hasSize(8);
        assertThatThrownBy(() -> Scenarios.parse("Nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Nope");
    }
}
