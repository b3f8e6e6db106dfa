package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;

import java.util.List;

/**
 * What a scenario measured, before rates are computed.
 *
 * @param orchestrations          orchestrations run in the measured window
 * @param activities              activity calls
 * @param events                  DTFx-counted history events (activity call + result = 2; event, timer, signal = 1)
 * @param operations              entity operations, or null
 * @param wallNanos               from the first client call to the last completion seen
 * @param latenciesMs             per orchestration: completion first seen minus the time just before its start call
 * @param transactions            storage transactions of the worker and the starting client in the window
 * @param observationTransactions transactions of the completion polling
 * @param idleWindowNanos         Idle only: the counted window, else 0
 * @param notes                   remarks for the report, or null
 */
public record Measurement(int orchestrations, long activities, long events, Long operations, long wallNanos,
                          List<Double> latenciesMs, StorageTransactionCount transactions,
                          long observationTransactions, long idleWindowNanos, String notes) {
}
