package io.github.durablefunctions.bench;

/** Whether the client that starts instances shares the worker's backend service instance. */
public enum ClientMode {
    /**
     * One {@code AzureStorageOrchestrationService} for the worker and the starting client, as the host runs a
     * function app (a client call then wakes the worker's control-queue listener at once, in process).
     */
    SHARED,
    /**
     * The starting client on its own service instance, as a client in another process: the worker learns of new
     * messages only by polling its queues.
     */
    SEPARATE
}
