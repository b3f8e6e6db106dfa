package io.github.durablefunctions;

/**
 * An activity's code: the unit of real work (I/O, computation) that orchestrations schedule. Runs at least once per
 * call; its result is recorded exactly once. Hosts adapt {@code @ActivityTrigger} methods to this interface.
 */
@FunctionalInterface
public interface TaskActivity {
    /**
     * Runs the activity.
     *
     * @return the result, serialized to JSON by the data converter; null for none
     * @throws Exception any failure; the calling orchestration sees a {@link TaskFailedException} with its details
     */
    Object run(TaskActivityContext ctx) throws Exception;
}
