package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retries with back-off: {@code CallFlakyService} calls an activity that fails its first few calls, with a
 * {@link RetryPolicy} of 4 attempts, 1 s first interval, back-off coefficient 2 (waits 1 s, 2 s, 4 s, on durable
 * timers). The history shows each attempt and each wait. When every attempt fails, the orchestration fails with the
 * last attempt's failure details.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/CallFlakyService -H 'Content-Type: application/json' \
 *      -d '{"key":"demo-1","failuresBeforeSuccess":2}'
 * # output: "OK after 3 attempts"; with "failuresBeforeSuccess":9 the instance ends Failed
 * curl -s "&lt;statusQueryGetUri&gt;&amp;showHistory=true"   # 3 TaskScheduled, 2 TimerCreated
 * </pre>
 */
public class FlakyService {
    /** The retry policy of the sample. */
    static final RetryPolicy POLICY = new RetryPolicy(4, Duration.ofSeconds(1)).setBackoffCoefficient(2.0);
    /** Calls so far, by request key (the simulated service's memory). */
    static final Map<String, Integer> CALLS = new ConcurrentHashMap<>();

    /**
     * @param key                   distinguishes callers (the service counts calls per key)
     * @param failuresBeforeSuccess how many calls fail before one succeeds
     */
    public record FlakyRequest(String key, int failuresBeforeSuccess) {
    }

    @FunctionName("CallFlakyService")
    public String callFlakyService(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        FlakyRequest request = ctx.getInput(FlakyRequest.class);
        if (request == null || request.key() == null) {
            throw new IllegalArgumentException("CallFlakyService needs {\"key\":...,\"failuresBeforeSuccess\":n}");
        }
        return ctx.callActivity("FlakyCall", request, new TaskOptions(POLICY), String.class).await();
    }

    /**
     * The flaky service.
     *
     * @throws IllegalStateException for the first {@code failuresBeforeSuccess} calls with a key
     */
    @FunctionName("FlakyCall")
    public String flakyCall(@ActivityTrigger(name = "request") FlakyRequest request) {
        int call = CALLS.merge(request.key(), 1, Integer::sum);
        if (call <= request.failuresBeforeSuccess()) {
            throw new IllegalStateException("Service unavailable (call " + call + ")");
        }
        return "OK after " + call + " attempts";
    }
}
