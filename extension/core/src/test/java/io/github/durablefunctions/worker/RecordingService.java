package io.github.durablefunctions.worker;

import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.backend.TaskMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A backend that hands out nothing and records what the dispatchers ask of it, for dispatcher tests. */
final class RecordingService implements OrchestrationService {
    final List<OrchestrationCheckpoint> completed = new ArrayList<>();
    final List<TaskMessage> activityResponses = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    boolean conflictOnComplete;

    @Override
    public void createTaskHubIfNotExists() {
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }

    @Override
    public OrchestrationWorkItem lockNextOrchestrationWorkItem(Duration timeout) {
        return null;
    }

    @Override
    public void completeOrchestrationWorkItem(OrchestrationWorkItem workItem, OrchestrationCheckpoint cp) {
        if (conflictOnComplete) {
            throw new SessionAbortedException("412 from the sentinel", null);
        }
        calls.add("complete");
        completed.add(cp);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem) {
        calls.add("abandon");
    }

    @Override
    public void discardOrchestrationWorkItem(OrchestrationWorkItem workItem, String reason) {
        calls.add("discard: " + reason);
    }

    @Override
    public ActivityWorkItem lockNextActivityWorkItem(Duration timeout) {
        return null;
    }

    @Override
    public void renewActivityWorkItem(ActivityWorkItem workItem) {
    }

    @Override
    public void completeActivityWorkItem(ActivityWorkItem workItem, TaskMessage response) {
        calls.add("complete activity");
        activityResponses.add(response);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem) {
        calls.add("abandon activity");
    }

    @Override
    public void close() {
    }
}
