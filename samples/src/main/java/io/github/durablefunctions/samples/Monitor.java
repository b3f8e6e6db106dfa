package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Monitor: an eternal orchestration that checks a job on a durable timer until the job is done or the monitor gives
 * up. After each check it sleeps on a durable timer and restarts itself with {@code continueAsNew}, so its history
 * never grows; its custom status shows how many checks it has made.
 *
 * <p>The job is simulated: {@code GetJobStatus} answers {@code Running} until {@code POST /api/jobs/{jobId}/complete}
 * marks it done.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/JobMonitor -H 'Content-Type: application/json' \
 *      -d '{"jobId":"job-42","pollingIntervalSeconds":5,"maxChecks":20}'
 * curl -s "&lt;statusQueryGetUri&gt;"                      # Running, customStatus {"checks":2,"lastStatus":"Running"}
 * curl -i -X POST http://127.0.0.1:7071/api/jobs/job-42/complete
 * curl -s "&lt;statusQueryGetUri&gt;"                      # Completed, output {"jobId":"job-42","outcome":"Completed","checks":3}
 * </pre>
 */
public class Monitor {
    /** The simulated jobs' states, by job ID: {@code Running} unless marked {@code Completed}. */
    static final Map<String, String> JOBS = new ConcurrentHashMap<>();

    /**
     * The monitor's input, carried from one generation to the next.
     *
     * @param jobId                  the job to watch
     * @param pollingIntervalSeconds seconds between checks (durable timer), at least 1
     * @param maxChecks              how many checks before giving up ("Expired"), at least 1
     * @param checks                 checks made by earlier generations (0 when started)
     */
    public record MonitorState(String jobId, int pollingIntervalSeconds, int maxChecks, int checks) {
    }

    /** The monitor's output: {@code outcome} is {@code Completed} or {@code Expired}. */
    public record MonitorResult(String jobId, String outcome, int checks) {
    }

    @FunctionName("JobMonitor")
    public MonitorResult jobMonitor(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        MonitorState state = ctx.getInput(MonitorState.class);
        if (state == null || state.jobId() == null || state.jobId().isBlank() || state.pollingIntervalSeconds() < 1
                || state.maxChecks() < 1) {
            throw new IllegalArgumentException("JobMonitor needs {\"jobId\":...,\"pollingIntervalSeconds\":>=1,"
                    + "\"maxChecks\":>=1}, got " + state);
        }
        String status = ctx.callActivity("GetJobStatus", state.jobId(), String.class).await();
        int checks = state.checks() + 1;
        if ("Completed".equals(status)) {
            ctx.callActivity("SendJobAlert", state.jobId()).await();
            return new MonitorResult(state.jobId(), "Completed", checks);
        }
        if (checks >= state.maxChecks()) {
            return new MonitorResult(state.jobId(), "Expired", checks);
        }
        ctx.setCustomStatus(Map.of("checks", checks, "lastStatus", status));
        ctx.createTimer(Duration.ofSeconds(state.pollingIntervalSeconds())).await();
        ctx.continueAsNew(new MonitorState(state.jobId(), state.pollingIntervalSeconds(), state.maxChecks(), checks));
        return null; // not reached: continueAsNew does not return
    }

    @FunctionName("GetJobStatus")
    public String getJobStatus(@ActivityTrigger(name = "jobId") String jobId) {
        return JOBS.getOrDefault(jobId, "Running");
    }

    @FunctionName("SendJobAlert")
    public void sendJobAlert(@ActivityTrigger(name = "jobId") String jobId, final ExecutionContext context) {
        context.getLogger().info("ALERT: job " + jobId + " has completed");
    }

    /** {@code POST /api/jobs/{jobId}/complete}: marks the simulated job done (204). */
    @FunctionName("CompleteJob")
    public HttpResponseMessage completeJob(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "jobs/{jobId}/complete",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("jobId") String jobId) {
        JOBS.put(jobId, "Completed");
        return req.createResponseBuilder(HttpStatus.NO_CONTENT).build();
    }
}
