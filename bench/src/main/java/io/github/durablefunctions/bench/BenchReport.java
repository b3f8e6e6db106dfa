package io.github.durablefunctions.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Everything one benchmark run wrote: the JSON file's root.
 *
 * @param startedAt       when the run started (ISO-8601, UTC)
 * @param scale           full or smoke
 * @param clientMode      whether the starting client shares the worker's backend service instance
 * @param starterThreads  client threads that start instances, raise events and send signals
 * @param machine         where it ran
 * @param limit           the raw Azurite transaction rate
 * @param results         one per scenario, in run order
 * @param failedScenarios names of the scenarios that failed (wrong output, timeout, crash)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchReport(String startedAt, String scale, ClientMode clientMode, int starterThreads,
                          MachineInfo machine, StorageLimit.Result limit, List<ScenarioResult> results,
                          List<String> failedScenarios) {
}
