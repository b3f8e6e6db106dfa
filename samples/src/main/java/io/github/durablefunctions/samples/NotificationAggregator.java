package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.AbstractTaskEntity;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.TaskEntityContext;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The aggregator pattern: a class-style entity per user collects notifications; every {@value #BATCH_SIZE}th one
 * starts a {@code SendDigest} orchestration with the batch (instance ID {@code digest-<user>-<n>}) and the entity
 * starts collecting again. Notifications for one user are processed one at a time, so none is lost or counted twice
 * however many arrive at once.
 *
 * <pre>
 * for i in $(seq 1 10); do
 *   curl -s -X POST http://127.0.0.1:7071/api/notifications/ana -H 'Content-Type: text/plain' -d "message $i"
 * done
 * curl -i http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/digest-ana-1   # the digest orchestration
 * curl -i http://127.0.0.1:7071/runtime/webhooks/durabletask/entities/NotificationInbox/ana
 * </pre>
 */
public class NotificationAggregator {
    /** How many notifications make a digest. */
    public static final int BATCH_SIZE = 10;

    /** The inbox of one user: notifications not yet sent, and how many digests were started. */
    public record Inbox(List<String> pending, int digestsSent) {
        public Inbox {
            pending = pending == null ? List.of() : List.copyOf(pending);
        }
    }

    /** The digest orchestration's input. */
    public record Digest(String user, int number, List<String> notifications) {
    }

    /** The entity: {@code add(text)} collects, {@code get} reads, {@code delete} (implicit) removes. */
    public static class NotificationInbox extends AbstractTaskEntity<Inbox> {
        @Override
        protected Class<Inbox> getStateType() {
            return Inbox.class;
        }

        @Override
        protected Inbox initializeState(TaskEntityOperation operation) {
            return new Inbox(List.of(), 0);
        }

        public void add(String text, TaskEntityContext ctx) {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("A notification needs a text");
            }
            List<String> pending = new ArrayList<>(state.pending());
            pending.add(text);
            if (pending.size() < BATCH_SIZE) {
                state = new Inbox(pending, state.digestsSent());
                return;
            }
            int number = state.digestsSent() + 1;
            String user = ctx.getId().getKey();
            ctx.startNewOrchestration("SendDigest", new Digest(user, number, pending), "digest-" + user + "-" + number);
            state = new Inbox(List.of(), number);
        }

        public Inbox get() {
            return state;
        }
    }

    @FunctionName("NotificationInbox")
    public Object inbox(@EntityTrigger(name = "operation") TaskEntityOperation operation) throws Exception {
        return new NotificationInbox().run(operation);
    }

    /** Adds the request body (plain text) as a notification for {@code user}. Answers 202. */
    @FunctionName("Notify")
    public HttpResponseMessage notify(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "notifications/{user}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("user") String user,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext) {
        String text = req.getBody().orElse("").trim();
        if (text.isEmpty()) {
            return req.createResponseBuilder(HttpStatus.BAD_REQUEST).header("Content-Type", "text/plain")
                    .body("The body must be the notification's text").build();
        }
        durableContext.signalEntity(new EntityInstanceId("NotificationInbox", user), "add", text);
        return req.createResponseBuilder(HttpStatus.ACCEPTED).build();
    }

    @FunctionName("SendDigest")
    public String sendDigest(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        Digest digest = ctx.getInput(Digest.class);
        return ctx.callActivity("DeliverDigest", digest, String.class).await();
    }

    /** Pretends to e-mail the digest; returns what was sent. */
    @FunctionName("DeliverDigest")
    public String deliverDigest(@ActivityTrigger(name = "digest") Digest digest, final ExecutionContext context) {
        String summary = "Digest #" + digest.number() + " for " + digest.user() + ": " + digest.notifications().size()
                + " notifications";
        context.getLogger().info(summary);
        return summary;
    }
}
