package io.github.durablefunctions.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * The result of one scenario, as written to the JSON file. Rates are per second of wall time; latencies are in
 * milliseconds; a field that does not apply to the scenario is null (and left out of the JSON).
 *
 * @param scenario                     the scenario name, e.g. {@code HelloCities5}
 * @param taskHub                      the fresh task hub it ran in
 * @param ok                           whether every orchestration completed with the right output in time
 * @param error                        why it failed, when not ok
 * @param heapLimitBytes               the scenario JVM's {@code -Xmx}
 * @param orchestrations               orchestrations run in the measured window
 * @param activities                   activity calls in the window
 * @param events                       history events in the DTFx sense: an activity call plus its result = 2, an
 *                                     external event or timer = 1, an entity signal = 1
 * @param operations                   entity operations (Entity only)
 * @param wallTimeMs                   from the first client call (start, raise, signal) to the last completion seen
 * @param eventsPerSecond              events / wall time
 * @param orchestrationsPerSecond      orchestrations / wall time
 * @param activitiesPerSecond          activities / wall time
 * @param operationsPerSecond          entity operations / wall time
 * @param latencyP50Ms                 client-observed start-to-completion latency, 50th percentile
 * @param latencyP95Ms                 95th percentile
 * @param latencyP99Ms                 99th percentile
 * @param latencyMaxMs                 the largest
 * @param transactions                 storage transactions of the worker and the starting client in the window
 * @param transactionsByKind           the same per kind ({@code queue.put}, {@code table.batch}, ...)
 * @param transactionsPerOrchestration transactions / orchestrations
 * @param transactionsPerEvent         transactions / events
 * @param observationTransactions      transactions of the harness's completion polling (not in {@code transactions})
 * @param idleTransactionsPerMinute    Idle only: transactions in the counted window, scaled to one minute
 * @param idleWindowSeconds            Idle only: the counted window
 * @param peakHeapBytes                the largest heap use sampled in the scenario JVM (20 ms samples)
 * @param peakRssBytes                 the scenario JVM's peak resident set size (VmHWM)
 * @param efficiency                   events/s over the events/s the raw Azurite rate allows at
 *                                     {@link StorageLimit#MIN_TRANSACTIONS_PER_EVENT} transactions per event
 * @param targets                      the targets for this scenario, each met or not
 * @param notes                        anything worth knowing about the figures
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioResult(String scenario, String taskHub, boolean ok, String error, Long heapLimitBytes,
                             Integer orchestrations, Long activities, Long events, Long operations,
                             Double wallTimeMs, Double eventsPerSecond, Double orchestrationsPerSecond,
                             Double activitiesPerSecond, Double operationsPerSecond,
                             Double latencyP50Ms, Double latencyP95Ms, Double latencyP99Ms, Double latencyMaxMs,
                             Long transactions, Map<String, Long> transactionsByKind,
                             Double transactionsPerOrchestration, Double transactionsPerEvent,
                             Long observationTransactions, Double idleTransactionsPerMinute,
                             Double idleWindowSeconds, Long peakHeapBytes, Long peakRssBytes, Double efficiency,
                             List<Targets.Check> targets, String notes) {

    /** A failed scenario: only its name, hub and the reason. */
    public static ScenarioResult failed(String scenario, String taskHub, String error) {
        return new ScenarioResult(scenario, taskHub, false, error, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** This result with the efficiency and the target checks the parent process adds. */
    public ScenarioResult withEvaluation(Double efficiency, List<Targets.Check> targets) {
        return new ScenarioResult(scenario, taskHub, ok, error, heapLimitBytes, orchestrations, activities, events,
                operations, wallTimeMs, eventsPerSecond, orchestrationsPerSecond, activitiesPerSecond,
                operationsPerSecond, latencyP50Ms, latencyP95Ms, latencyP99Ms, latencyMaxMs, transactions,
                transactionsByKind, transactionsPerOrchestration, transactionsPerEvent, observationTransactions,
                idleTransactionsPerMinute, idleWindowSeconds, peakHeapBytes, peakRssBytes, efficiency, targets,
                notes);
    }
}
