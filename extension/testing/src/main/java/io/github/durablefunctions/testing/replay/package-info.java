/**
 * The replay check: does the current orchestrator code still replay the histories of instances recorded earlier?
 *
 * <ul>
 *   <li>{@link io.github.durablefunctions.testing.replay.HistoryFile}: the portable history file (one execution as
 *   JSON; format in its Javadoc and {@link io.github.durablefunctions.testing.replay.HistoryEventJson}).</li>
 *   <li>{@link io.github.durablefunctions.testing.replay.HistoryLoader}: loads a history from any task hub through
 *   the backend SPI.</li>
 *   <li>{@link io.github.durablefunctions.testing.replay.ReplayCheck}: replays a history with core's
 *   {@code OrchestrationExecutor} and reports OK or the first non-deterministic step
 *   ({@link io.github.durablefunctions.testing.replay.ReplayCheckResult}).</li>
 *   <li>{@link io.github.durablefunctions.testing.replay.ReplayCheckCommand}: the same from the command line.</li>
 * </ul>
 */
package io.github.durablefunctions.testing.replay;
