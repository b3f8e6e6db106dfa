package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestratorFunction;

import java.util.Map;

/**
 * The orchestrators of an app, for {@link ReplayCheckCommand}: implement it in the app's test code (a public class
 * with a public no-argument constructor) and pass its class name with {@code --orchestrations}. Register each
 * orchestrator under the name its instances were started with, as the app registers it with the worker.
 *
 * <pre>{@code
 * public class MyOrchestrations implements ReplayCheckOrchestrations {
 *     public Map<String, OrchestratorFunction<?>> orchestrations() {
 *         return Map.of("ProcessOrder", ctx -> new OrderFunctions().processOrder(ctx));
 *     }
 * }
 * }</pre>
 */
public interface ReplayCheckOrchestrations {
    /** The orchestrators by name (names are matched ignoring case). */
    Map<String, OrchestratorFunction<?>> orchestrations();

    /** The app's data converter; by default the {@link JacksonDataConverter}. */
    default DataConverter dataConverter() {
        return new JacksonDataConverter();
    }
}
