/**
 * Testing durable functions without infrastructure (issue #6): an in-memory backend with virtual time that the core
 * worker runs on unchanged, a harness for JUnit 5 and plain tests, and a replay check of recorded histories against
 * the current orchestrator code. Add the {@code durable-functions-testing} artifact with test scope.
 */
package io.github.durablefunctions.testing;
