/**
 * Testing durable functions without infrastructure (issue #6): an in-memory backend with virtual time that the core
 * worker runs on unchanged, a harness for JUnit 5 and plain tests, and a replay check of recorded histories against
 * the current orchestrator code. Add the {@code durable-functions-testing} artifact with test scope.
 *
 * <h2>The in-memory backend and virtual time</h2>
 * {@link io.github.durablefunctions.testing.InMemoryOrchestrationService} is a backend (worker and client side)
 * with the semantics of the Azure Storage one, kept in memory; {@link io.github.durablefunctions.testing.VirtualClock}
 * is the time it, the worker and the clients share. Time moves only when the test lets it:
 * <pre>{@code
 * VirtualClock clock = new VirtualClock(Instant.parse("2030-01-01T00:00:00Z"));
 * InMemoryOrchestrationService service = new InMemoryOrchestrationService(clock);
 * try (DurableTaskWorker worker = DurableTaskWorker.builder().service(service).clock(clock)
 *         .addOrchestrator("Approval", ctx -> ...).addActivity("Notify", ctx -> ...).build()) {
 *     worker.start();
 *     DurableTaskClient client = new BackendDurableTaskClient(service, new JacksonDataConverter(),
 *             MessageSorter.DEFAULT_REORDER_WINDOW, clock);
 *     String id = client.scheduleNewOrchestrationInstance("Approval");
 *     service.awaitIdle(Duration.ofSeconds(10));          // it now waits for its event or its 72-hour timer
 *     // client.raiseEvent(id, "Approved", true);          // raise it now and the event wins; or don't, and ...
 *     OrchestrationState done = service.awaitCompletion(id, Duration.ofSeconds(10)); // ... the timer fires at once
 * }
 * }</pre>
 * The durations given to {@code awaitIdle}, {@code awaitCompletion}, {@code runUntil} and {@code advance} are real
 * time, only to bound a test that hangs.
 */
package io.github.durablefunctions.testing;
