package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.TaskCanceledException;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;

/**
 * Human interaction: an approval that waits for a person. The orchestrator asks for approval, then waits for the
 * {@code ApprovalEvent} external event with a timeout (a durable timer). An approval processes the request; a
 * rejection ends it; no answer in time escalates it to a manager.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/ApprovalWorkflow -H 'Content-Type: application/json' \
 *      -d '{"requester":"ana","item":"laptop","timeoutSeconds":300}'
 * # approve: the sendEventPostUri of the response, with {eventName} = ApprovalEvent
 * curl -i -X POST "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/&lt;id&gt;/raiseEvent/ApprovalEvent" \
 *      -H 'Content-Type: application/json' -d '{"approved":true,"approver":"bob"}'
 * # output: {"outcome":"Approved","decidedBy":"bob"}; without an answer within timeoutSeconds: "Escalated"
 * </pre>
 */
public class Approval {
    /** What needs approving, and how long to wait for an answer. */
    public record ApprovalRequest(String requester, String item, int timeoutSeconds) {
    }

    /** The approver's answer, the payload of the {@code ApprovalEvent} event. */
    public record ApprovalDecision(boolean approved, String approver) {
    }

    /** {@code outcome} is {@code Approved}, {@code Rejected} or {@code Escalated}. */
    public record ApprovalResult(String outcome, String decidedBy) {
    }

    @FunctionName("ApprovalWorkflow")
    public ApprovalResult approvalWorkflow(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        ApprovalRequest request = ctx.getInput(ApprovalRequest.class);
        if (request == null || request.item() == null || request.timeoutSeconds() < 1) {
            throw new IllegalArgumentException("ApprovalWorkflow needs {\"requester\":...,\"item\":...,"
                    + "\"timeoutSeconds\":>=1}, got " + request);
        }
        ctx.callActivity("RequestApproval", request).await();
        try {
            ApprovalDecision decision = ctx.waitForExternalEvent("ApprovalEvent",
                    Duration.ofSeconds(request.timeoutSeconds()), ApprovalDecision.class).await();
            if (decision == null || !decision.approved()) {
                return new ApprovalResult("Rejected", decision == null ? null : decision.approver());
            }
            ctx.callActivity("ProcessApproval", request).await();
            return new ApprovalResult("Approved", decision.approver());
        } catch (TaskCanceledException noAnswerInTime) {
            String manager = ctx.callActivity("Escalate", request, String.class).await();
            return new ApprovalResult("Escalated", manager);
        }
    }

    @FunctionName("RequestApproval")
    public void requestApproval(@ActivityTrigger(name = "request") ApprovalRequest request,
                                final ExecutionContext context) {
        context.getLogger().info("Approval requested by " + request.requester() + " for " + request.item());
    }

    @FunctionName("ProcessApproval")
    public void processApproval(@ActivityTrigger(name = "request") ApprovalRequest request,
                                final ExecutionContext context) {
        context.getLogger().info("Ordering " + request.item() + " for " + request.requester());
    }

    /** Escalates an unanswered request; returns who it went to. */
    @FunctionName("Escalate")
    public String escalate(@ActivityTrigger(name = "request") ApprovalRequest request,
                           final ExecutionContext context) {
        context.getLogger().info("No answer for " + request.requester() + "'s " + request.item()
                + "; escalating to the manager");
        return "manager";
    }
}
