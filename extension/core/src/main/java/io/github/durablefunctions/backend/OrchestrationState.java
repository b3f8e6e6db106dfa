package io.github.durablefunctions.backend;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.time.Instant;
import java.util.Map;

/**
 * The stored state of an orchestration instance: in Azure Storage, one row of the Instances table
 * (storage-layout.md §4). Payloads are JSON text; {@code input} and {@code output} are null when not fetched.
 *
 * @param instanceId         the instance ID
 * @param executionId        the current execution ID
 * @param name               the orchestrator name
 * @param version            the orchestrator version, or null
 * @param runtimeStatus      the status
 * @param input              input JSON, or null
 * @param output             output JSON (or termination reason), or null
 * @param customStatus       custom status JSON, or null
 * @param createdTime        creation time (UTC)
 * @param lastUpdatedTime    last change (UTC)
 * @param completedTime      completion time (UTC), or null
 * @param failureDetails     failure details of a failed instance, or null
 * @param tags               tags, or null
 * @param scheduledStartTime scheduled start, or null
 * @param generation         how many times this instance ID was (re)created, from 0
 */
public record OrchestrationState(String instanceId, String executionId, String name, String version,
                                 OrchestrationRuntimeStatus runtimeStatus, String input, String output,
                                 String customStatus, Instant createdTime, Instant lastUpdatedTime,
                                 Instant completedTime, FailureDetails failureDetails, Map<String, String> tags,
                                 Instant scheduledStartTime, int generation) {
}
