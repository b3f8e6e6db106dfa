package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Human interaction with a deadline: two-factor phone verification. The orchestrator sends a 4-digit code by "SMS",
 * then races the user's answers (the {@code SmsChallengeResponse} event) against one durable timer with
 * {@code anyOf}. Three wrong codes or the timeout fail the verification.
 *
 * <p>SMS is simulated: the code lands in an outbox that {@code GET /api/sms/{phoneNumber}} reads (the phone).
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/PhoneVerification -H 'Content-Type: application/json' \
 *      -d '{"phoneNumber":"+15550100","timeoutSeconds":90}'
 * curl -s http://127.0.0.1:7071/api/sms/+15550100                                  # {"code":4711}
 * curl -i -X POST "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/&lt;id&gt;/raiseEvent/SmsChallengeResponse" \
 *      -H 'Content-Type: application/json' -d '4711'
 * # output: true (verified) or false (three wrong codes, or no right code within timeoutSeconds)
 * </pre>
 */
public class PhoneVerification {
    /** How many answers the user gets. */
    static final int MAX_ATTEMPTS = 3;
    /** The simulated SMS outbox: the last code sent, by phone number. */
    static final Map<String, Integer> OUTBOX = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Whom to verify and how long the code is valid. */
    public record VerificationRequest(String phoneNumber, int timeoutSeconds) {
    }

    @FunctionName("PhoneVerification")
    public boolean phoneVerification(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        VerificationRequest request = ctx.getInput(VerificationRequest.class);
        if (request == null || request.phoneNumber() == null || request.timeoutSeconds() < 1) {
            throw new IllegalArgumentException("PhoneVerification needs {\"phoneNumber\":...,\"timeoutSeconds\":>=1}, "
                    + "got " + request);
        }
        int code = ctx.callActivity("SendSmsChallenge", request.phoneNumber(), Integer.class).await();
        Task<Void> deadline = ctx.createTimer(Duration.ofSeconds(request.timeoutSeconds()));
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Task<Integer> answer = ctx.waitForExternalEvent("SmsChallengeResponse", Integer.class);
            Task<?> first = ctx.anyOf(answer, deadline).await();
            if (first == deadline) {
                ctx.setCustomStatus(Map.of("result", "timed out"));
                return false;
            }
            Integer given = answer.await();
            if (given != null && given == code) {
                ctx.setCustomStatus(Map.of("result", "verified", "attempts", attempt));
                return true;
            }
            ctx.setCustomStatus(Map.of("result", "wrong code", "attemptsLeft", MAX_ATTEMPTS - attempt));
        }
        return false;
    }

    /** Sends a new random 4-digit code to the phone and returns it (recorded in history, so replays agree). */
    @FunctionName("SendSmsChallenge")
    public int sendSmsChallenge(@ActivityTrigger(name = "phoneNumber") String phoneNumber) {
        int code = 1000 + RANDOM.nextInt(9000);
        OUTBOX.put(phoneNumber, code);
        return code;
    }

    /** {@code GET /api/sms/{phoneNumber}}: the simulated phone; 200 {@code {"code":1234}} or 404. */
    @FunctionName("ReadSms")
    public HttpResponseMessage readSms(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "sms/{phoneNumber}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("phoneNumber") String phoneNumber) {
        Integer code = OUTBOX.get(phoneNumber);
        if (code == null) {
            return req.createResponseBuilder(HttpStatus.NOT_FOUND).body("No SMS sent to " + phoneNumber).build();
        }
        return req.createResponseBuilder(HttpStatus.OK).header("Content-Type", "application/json")
                .body("{\"code\":" + code + "}").build();
    }
}
