package io.github.durablefunctions.samples;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.testing.DurableTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every sample orchestration and entity of this app, run through {@link DurableTestHarness}: in memory, no Azurite,
 * no host, with virtual time, so the approval's and the phone verification's timeouts and the monitor's 30 durable
 * timers take no real time. The end-to-end tests ({@code *IT}) run the same functions in the host on Azurite.
 */
class SampleOrchestrationsTest {
    @RegisterExtension
    final DurableTestHarness harness = DurableTestHarness.builder()
            .functions(HelloCities.class, FanOutFanIn.class, WordCount.class, Approval.class, PhoneVerification.class,
                    Monitor.class, DeviceProvisioning.class, FlakyService.class, ReportExport.class, Counter.class,
                    NotificationAggregator.class, Matchmaking.class, OrderProcessing.class)
            // A stub instead of a real SMS: the code is known to the test.
            .replaceActivity("SendSmsChallenge", ctx -> 4321)
            // Rendering takes 700 ms of real time in the sample; the stub keeps the unit test fast.
            .replaceActivity("RenderSection", ctx -> "Section " + ctx.getInput(Integer.class))
            .build();

    @Test
    void chaining() {
        OrchestrationMetadata done = run("HelloCities", null);
        assertThat(done.readOutputAs(List.class)).containsExactly("Hello Tokyo!", "Hello Seattle!", "Hello London!");
    }

    @Test
    void fanOutFanIn() {
        String id = harness.client().scheduleNewOrchestrationInstance("SumOfSquares", 100);
        assertThat(harness.waitForCompletion(id).readOutputAs(Long.class)).isEqualTo(338350L);
        assertThat(harness.history(id)).filteredOn(e -> e instanceof TaskCompletedEvent).hasSize(100);
        assertThat(run("WordCount", null).getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }

    @Test
    void approvalApprovedBeforeTheTimeout() {
        String id = harness.client().scheduleNewOrchestrationInstance("ApprovalWorkflow",
                new Approval.ApprovalRequest("ana", "laptop", 72 * 3600));
        harness.waitForIdle(); // waiting for ApprovalEvent; virtual time has not moved
        harness.client().raiseEvent(id, "ApprovalEvent", new Approval.ApprovalDecision(true, "bob"));
        Approval.ApprovalResult result = harness.waitForCompletion(id).readOutputAs(Approval.ApprovalResult.class);
        assertThat(result).isEqualTo(new Approval.ApprovalResult("Approved", "bob"));
        assertThat(harness.now()).isBefore(DurableTestHarness.DEFAULT_START_TIME.plus(Duration.ofHours(1)));
    }

    @Test
    void approvalEscalatedWhenNobodyAnswersFor72Hours() {
        OrchestrationMetadata done = run("ApprovalWorkflow", new Approval.ApprovalRequest("ana", "yacht", 72 * 3600));
        assertThat(done.readOutputAs(Approval.ApprovalResult.class))
                .isEqualTo(new Approval.ApprovalResult("Escalated", "manager"));
        assertThat(harness.now()).isAfterOrEqualTo(DurableTestHarness.DEFAULT_START_TIME.plus(Duration.ofHours(72)));
    }

    @Test
    void phoneVerificationWithTheRightCodeAndWithoutAnAnswer() {
        String id = harness.client().scheduleNewOrchestrationInstance("PhoneVerification",
                new PhoneVerification.VerificationRequest("+100", 300));
        harness.waitForIdle();
        harness.client().raiseEvent(id, "SmsChallengeResponse", 1111);
        harness.waitForIdle();
        harness.client().raiseEvent(id, "SmsChallengeResponse", 4321);
        OrchestrationMetadata verified = harness.waitForCompletion(id);
        assertThat(verified.readOutputAs(Boolean.class)).isTrue();
        assertThat(verified.readCustomStatusAs(Map.class)).containsEntry("attempts", 2);

        OrchestrationMetadata timedOut = run("PhoneVerification", new PhoneVerification.VerificationRequest("+200", 300));
        assertThat(timedOut.readOutputAs(Boolean.class)).isFalse();
        assertThat(timedOut.readCustomStatusAs(Map.class)).containsEntry("result", "timed out");
    }

    @Test
    void monitorLoopsThirtyTimesOnFiveMinuteTimersThenExpires() {
        String id = harness.client().scheduleNewOrchestrationInstance("JobMonitor",
                new Monitor.MonitorState("job-unit-" + System.nanoTime(), 300, 30, 0));
        Monitor.MonitorResult result = harness.waitForCompletion(id).readOutputAs(Monitor.MonitorResult.class);
        assertThat(result.outcome()).isEqualTo("Expired");
        assertThat(result.checks()).isEqualTo(30);
        // 29 timers of 5 minutes, one per generation (continueAsNew); the last generation's history is current.
        assertThat(harness.now()).isEqualTo(DurableTestHarness.DEFAULT_START_TIME.plus(Duration.ofMinutes(29 * 5)));
        List<HistoryEvent> lastGeneration = harness.history(id);
        assertThat(lastGeneration).noneMatch(e -> e instanceof TimerFiredEvent);
    }

    @Test
    void subOrchestrationsRetriesAndAsyncReport() {
        OrchestrationMetadata provisioned = run("ProvisionDevices", List.of("sensor-1", "broken-2"));
        DeviceProvisioning.ProvisioningReport report =
                provisioned.readOutputAs(DeviceProvisioning.ProvisioningReport.class);
        assertThat(report.provisioned()).containsOnlyKeys("sensor-1");
        assertThat(report.failed()).containsOnlyKeys("broken-2");

        String key = "unit-" + System.nanoTime();
        OrchestrationMetadata retried = run("CallFlakyService", new FlakyService.FlakyRequest(key, 2));
        assertThat(retried.readOutputAs(String.class)).isEqualTo("OK after 3 attempts");

        OrchestrationMetadata exported = run("ExportReport", new ReportExport.ReportRequest(3));
        assertThat(exported.readOutputAs(ReportExport.Report.class).sections())
                .containsExactly("Section 1", "Section 2", "Section 3");
    }

    @Test
    void orderProcessingCompensatesADeclinedPayment() {
        int stock = OrderProcessing.stockOf("unit-teapot");
        OrderProcessing.OrderResult declined = run("ProcessOrder", new OrderProcessing.Order("u-1", "unit-teapot", 4,
                OrderProcessing.DECLINED_CARD, "ana@example.com")).readOutputAs(OrderProcessing.OrderResult.class);
        assertThat(declined.outcome()).isEqualTo("PaymentFailed");
        assertThat(OrderProcessing.stockOf("unit-teapot")).as("the reservation was released").isEqualTo(stock);

        OrderProcessing.OrderResult paid = run("ProcessOrder", new OrderProcessing.Order("u-2", "unit-teapot", 4,
                "4111-1111-1111-1111", "ana@example.com")).readOutputAs(OrderProcessing.OrderResult.class);
        assertThat(paid.outcome()).isEqualTo("Completed");
        assertThat(OrderProcessing.stockOf("unit-teapot")).isEqualTo(stock - 4);
    }

    @Test
    void entitiesCounterAggregatorAndLocks() {
        EntityInstanceId counter = new EntityInstanceId("Counter", "apples");
        for (int i = 0; i < 5; i++) {
            harness.entities().signalEntity(counter, "add", 2);
        }
        harness.waitForIdle();
        assertThat(harness.entities().getEntityMetadata(counter, true).readStateAs(Integer.class)).isEqualTo(10);

        EntityInstanceId inbox = new EntityInstanceId("NotificationInbox", "ana");
        for (int i = 1; i <= 10; i++) {
            harness.entities().signalEntity(inbox, "add", "note " + i);
        }
        harness.waitForIdle();
        OrchestrationMetadata digest = harness.waitForCompletion("digest-ana-1");
        assertThat(digest.readOutputAs(String.class)).isEqualTo("Digest #1 for ana: 10 notifications");

        OrchestrationMetadata first = run("Matchmaking", new Matchmaking.MatchRequest(List.of("ann", "ben")));
        OrchestrationMetadata second = run("Matchmaking", new Matchmaking.MatchRequest(List.of("ben", "cy")));
        assertThat(first.readOutputAs(Matchmaking.MatchResult.class).outcome()).isEqualTo("Matched");
        assertThat(second.readOutputAs(Matchmaking.MatchResult.class).outcome()).isEqualTo("Unavailable");
    }

    private OrchestrationMetadata run(String orchestrator, Object input) {
        String id = harness.client().scheduleNewOrchestrationInstance(orchestrator, input);
        OrchestrationMetadata done = harness.waitForCompletion(id);
        assertThat(done.getRuntimeStatus()).as("%s: %s", orchestrator, done.getFailureDetails())
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        return done;
    }
}
