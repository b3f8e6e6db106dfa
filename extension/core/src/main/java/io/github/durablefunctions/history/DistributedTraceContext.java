package io.github.durablefunctions.history;

import java.time.Instant;

/** W3C trace context carried on some events ({@code DurableTask.Core.Tracing.DistributedTraceContext}). */
public record DistributedTraceContext(String traceParent, String traceState, String id, String spanId,
                                      Instant activityStartTime) {
}
