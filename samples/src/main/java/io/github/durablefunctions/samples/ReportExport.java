package io.github.durablefunctions.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Async HTTP API: a long job behind an HTTP call that returns at once. {@code POST /api/reports} starts the
 * {@code ExportReport} orchestration and answers {@code 202 Accepted} with a {@code Location} header; the caller polls
 * that URL (the status endpoint), which answers 202 with {@code Retry-After} and the progress in
 * {@code customStatus} while the job runs, then 200 with the output. With {@code ?waitSeconds=N} the call waits up
 * to N seconds and returns the output directly (200) if the job finishes in time.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/reports -H 'Content-Type: application/json' -d '{"sections":5}'
 * curl -i "&lt;Location&gt;"          # 202, customStatus {"sectionsDone":2,"sections":5}, then 200 with the output
 * curl -i -X POST "http://127.0.0.1:7071/api/reports?waitSeconds=30" -H 'Content-Type: application/json' -d '{"sections":2}'
 * </pre>
 */
public class ReportExport {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long rendering one section takes (simulated work). */
    static final Duration SECTION_TIME = Duration.ofMillis(700);

    /** The report to build: how many sections. */
    public record ReportRequest(int sections) {
    }

    /** The finished report: its sections, in order. */
    public record Report(List<String> sections) {
    }

    @FunctionName("StartReportExport")
    public HttpResponseMessage startReportExport(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "reports",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext) {
        ReportRequest request;
        try {
            String body = req.getBody().orElse("");
            request = body.isBlank() ? new ReportRequest(3) : JSON.readValue(body, ReportRequest.class);
        } catch (JsonProcessingException e) {
            return req.createResponseBuilder(HttpStatus.BAD_REQUEST).header("Content-Type", "text/plain")
                    .body("The body must be JSON like {\"sections\":5}: " + e.getOriginalMessage()).build();
        }
        String instanceId = durableContext.getClient().scheduleNewOrchestrationInstance("ExportReport", request);
        String wait = req.getQueryParameters().get("waitSeconds");
        if (wait != null) {
            return durableContext.waitForCompletionOrCreateCheckStatusResponse(req, instanceId,
                    Duration.ofSeconds(Long.parseLong(wait)));
        }
        return durableContext.createCheckStatusResponse(req, instanceId);
    }

    @FunctionName("ExportReport")
    public Report exportReport(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        ReportRequest request = ctx.getInput(ReportRequest.class);
        int sections = request == null ? 3 : request.sections();
        if (sections < 1 || sections > 100) {
            throw new IllegalArgumentException("A report has 1 to 100 sections, not " + sections);
        }
        List<String> rendered = new ArrayList<>();
        for (int i = 1; i <= sections; i++) {
            ctx.setCustomStatus(Map.of("sectionsDone", i - 1, "sections", sections));
            rendered.add(ctx.callActivity("RenderSection", i, String.class).await());
        }
        ctx.setCustomStatus(Map.of("sectionsDone", sections, "sections", sections));
        return new Report(rendered);
    }

    /** Renders one section (simulated: takes {@link #SECTION_TIME}). */
    @FunctionName("RenderSection")
    public String renderSection(@ActivityTrigger(name = "section") int section) throws InterruptedException {
        Thread.sleep(SECTION_TIME.toMillis());
        return "Section " + section;
    }
}
