package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.util.ArrayList;
import java.util.List;

/**
 * Fan-out/fan-in at a chosen width: {@code SumOfSquares} takes a count {@code n} (1 to 1,000; default 10), calls the
 * {@code Square} activity for 1..n all at once, waits for every result and returns their sum, which must equal
 * {@code n(n+1)(2n+1)/6}. The activities run in parallel on every host process that shares the task hub; the
 * orchestration's history records each result exactly once, whatever crashes or re-deliveries happen in between.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/SumOfSquares -H 'Content-Type: application/json' -d 100
 * # output: 338350
 * </pre>
 */
public class FanOutFanIn {
    /** The widest fan-out this sample accepts. */
    public static final int MAX_COUNT = 1_000;

    @FunctionName("SumOfSquares")
    public long sumOfSquares(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        Integer requested = ctx.getInput(Integer.class);
        int n = requested == null ? 10 : requested;
        if (n < 1 || n > MAX_COUNT) {
            throw new IllegalArgumentException("The count must be 1 to " + MAX_COUNT + ", was " + n);
        }
        List<Task<Long>> squares = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            squares.add(ctx.callActivity("Square", i, Long.class));
        }
        long sum = 0;
        for (long square : ctx.allOf(squares).await()) {
            sum += square;
        }
        return sum;
    }

    /** {@code i * i}. */
    @FunctionName("Square")
    public long square(@ActivityTrigger(name = "i") int i) {
        return (long) i * i;
    }
}
