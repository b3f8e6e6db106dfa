package io.github.durablefunctions.worker;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Processes activity work items: invokes the activity, then completes the work item with a {@code TaskCompleted}
 * or {@code TaskFailed} response for the orchestration (like DTFx's {@code TaskActivityDispatcher}). Long-running
 * activities have their work item's lock renewed every minute.
 */
final class ActivityDispatcher extends WorkLoop<ActivityWorkItem> {
    private static final Logger log = LoggerFactory.getLogger(ActivityDispatcher.class);
    /** Most activity work items asked for in one receive (an Azure Queues limit per receive call). */
    static final int MAX_RECEIVE_BATCH = 32;
    private static final Duration RENEW_INTERVAL = Duration.ofMinutes(1);

    private final OrchestrationService service;
    private final Map<String, TaskActivity> activities;
    private final DataConverter dataConverter;
    private final ScheduledExecutorService renewals;
    private final Clock clock;

    ActivityDispatcher(OrchestrationService service, Map<String, TaskActivity> activities,
                       DataConverter dataConverter, int maxConcurrency) {
        this(service, activities, dataConverter, maxConcurrency, Clock.systemUTC());
    }

    /** A dispatcher whose response timestamps come from {@code clock}. */
    ActivityDispatcher(OrchestrationService service, Map<String, TaskActivity> activities,
                       DataConverter dataConverter, int maxConcurrency, Clock clock) {
        super("activity", maxConcurrency);
        this.service = service;
        this.clock = Objects.requireNonNull(clock, "clock");
        TreeMap<String, TaskActivity> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(activities);
        this.activities = byName;
        this.dataConverter = dataConverter;
        this.renewals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "activity-renewal");
            t.setDaemon(true);
            return t;
        });
    }

    int activityCount() {
        return activities.size();
    }

    @Override
    ActivityWorkItem receive(Duration timeout) throws InterruptedException {
        return service.lockNextActivityWorkItem(timeout);
    }

    @Override
    List<ActivityWorkItem> receiveUpTo(int max, Duration timeout) throws InterruptedException {
        return service.lockNextActivityWorkItems(max, timeout);
    }

    @Override
    int maxReceiveBatch() {
        return MAX_RECEIVE_BATCH;
    }

    @Override
    void process(ActivityWorkItem workItem) {
        TaskMessage request = workItem.getTaskMessage();
        if (!(request.event() instanceof TaskScheduledEvent scheduled)) {
            log.error("Activity work item {} of instance '{}' holds a {} event instead of TaskScheduled; abandoning it",
                    workItem.getId(), request.instanceId(), request.event().eventType());
            service.abandonActivityWorkItem(workItem);
            return;
        }
        HistoryEvent response;
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> renew(workItem),
                RENEW_INTERVAL.toMillis(), RENEW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        try {
            response = invoke(scheduled, request);
        } finally {
            renewal.cancel(false);
        }
        try {
            service.completeActivityWorkItem(workItem, new TaskMessage(response, request.orchestrationInstance()));
        } catch (RuntimeException e) {
            log.error("Activity '{}' (#{}) of instance '{}': sending its result failed; abandoning the work item "
                    + "for a retry", scheduled.name(), scheduled.eventId(), request.instanceId(), e);
            service.abandonActivityWorkItem(workItem);
        }
    }

    private HistoryEvent invoke(TaskScheduledEvent scheduled, TaskMessage request) {
        int taskId = scheduled.eventId();
        TaskActivity activity = activities.get(scheduled.name());
        if (activity == null) {
            String message = "No activity function named '" + scheduled.name() + "' is registered in this app.";
            log.warn("Instance '{}': {}", request.instanceId(), message);
            FailureDetails details = new FailureDetails(IllegalStateException.class.getName(), message, null, null,
                    true, null);
            return new TaskFailedEvent(-1, false, clock.instant(), taskId, message, null, details);
        }
        ActivityContext ctx = new ActivityContext(scheduled.name(), request.instanceId(), taskId, scheduled.input(),
                dataConverter);
        try {
            Object output = activity.run(ctx);
            return new TaskCompletedEvent(-1, false, clock.instant(), taskId, dataConverter.serialize(output));
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) {
            // Errors of user code (AssertionError, NoClassDefFoundError, ...) fail the task like exceptions do.
            log.warn("Activity '{}' (#{}) of instance '{}' failed: {}", scheduled.name(), taskId,
                    request.instanceId(), e.toString());
            return new TaskFailedEvent(-1, false, clock.instant(), taskId, e.getMessage(), null,
                    FailureDetails.fromException(e));
        }
    }

    private void renew(ActivityWorkItem workItem) {
        try {
            service.renewActivityWorkItem(workItem);
        } catch (RuntimeException e) {
            log.warn("Renewing activity work item {} failed: {}", workItem.getId(), e.toString());
        }
    }
}
