package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison messages through core's worker and client on Azurite (README "Poison messages"), with
 * {@code maxDequeueCount = 3}: a failed sub-orchestration fails its parent with the details, an activity that keeps
 * crashing its worker ends as a {@code TaskFailed} naming the poison message (and a rewind after the fix completes
 * the instance), and a finished instance's Instances row that disagrees with its history is repaired (§8.2).
 */
@ExtendWith(AzuriteExtension.class)
class PoisonMessageEndToEndTest {
    static final String HUB = "PoisonEndToEndHub";
    static final String CONTROL_QUEUE = "poisonendtoendhub-control-00";
    static final AtomicInteger CRASHES = new AtomicInteger();
    static final AtomicBoolean CRASHING = new AtomicBoolean(true);
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).partitionCount(1)
                .maxDequeueCount(3).workItemQueueVisibilityTimeout(Duration.ofSeconds(2)).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Parent", ctx -> ctx.callSubOrchestrator("Child", null,
                        ctx.getInstanceId() + "-child", String.class).await())
                .addOrchestrator("Child", ctx -> ctx.waitForExternalEvent("go", String.class).await())
                .addOrchestrator("CallsCrash", ctx -> ctx.callActivity("Crash", null, String.class).await())
                .addOrchestrator("Quick", ctx -> "done")
                .addActivity("Crash", ctx -> {
                    if (CRASHING.get()) {
                        CRASHES.incrementAndGet();
                        // An Error the worker does not turn into a TaskFailed: the work item is neither completed nor
                        // put back, as if the worker had died; it comes back when its 2 s lock expires.
                        throw new StackOverflowError("simulated crash of the worker");
                    }
                    return "fixed";
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aSubOrchestrationFailedByAPoisonMessageFailsItsParentWithTheDetails() throws Exception {
        String parent = client.scheduleNewOrchestrationInstance("Parent", null, "poisoned-parent");
        String child = parent + "-child";
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            OrchestrationMetadata m = client.getInstanceMetadata(child, false);
            return m != null && m.getRuntimeStatus() == OrchestrationRuntimeStatus.RUNNING;
        });

        // A message for the child that no worker can read.
        String body = "{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"TaskMessage\":{\"$type\":"
                + "\"DurableTask.Core.TaskMessage\",\"Event\":{\"$type\":\"DurableTask.Core.History.EventRaisedEvent\","
                + "\"EventType\":15,\"Name\":\"go\",\"Input\":\"1\",\"EventId\":-1,\"Timestamp\":\"yesterday\"},"
                + "\"OrchestrationInstance\":{\"InstanceId\":\"" + child + "\",\"ExecutionId\":null}}}";
        QueueClient controlQueue = StorageTestSupport.queues().getQueueClient(CONTROL_QUEUE);
        String messageId = controlQueue.sendMessage(body).getMessageId();

        OrchestrationMetadata parentDone = client.waitForInstanceCompletion(parent, Duration.ofSeconds(60), true);
        OrchestrationMetadata childDone = client.getInstanceMetadata(child, true);
        assertThat(childDone.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        FailureDetails childFailure = childDone.getFailureDetails();
        assertThat(childFailure.getErrorType()).isEqualTo(PoisonMessages.ERROR_TYPE);
        assertThat(childFailure.getErrorMessage()).contains("Message " + messageId + " (EventRaised)")
                .contains("cannot be read").contains(CONTROL_QUEUE + "-poison");

        assertThat(parentDone.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        FailureDetails parentFailure = parentDone.getFailureDetails();
        assertThat(parentFailure.getErrorType()).isEqualTo(TaskFailedException.class.getName());
        assertThat(parentFailure.getErrorMessage()).contains("Task 'Child'")
                .contains(childFailure.getErrorMessage());

        List<PeekedMessageItem> poison = StorageTestSupport.queues().getQueueClient(CONTROL_QUEUE + "-poison")
                .peekMessages(32, null, null).stream().toList();
        assertThat(poison).extracting(p -> p.getBody().toString()).contains(body);
    }

    @Test
    void anActivityThatKeepsCrashingItsWorkerFailsTheOrchestrationAndARewindAfterTheFixCompletesIt()
            throws Exception {
        String id = client.scheduleNewOrchestrationInstance("CallsCrash", null, "crashing-activity");
        OrchestrationMetadata failed = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

        assertThat(failed.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(CRASHES.get()).as("deliveries run before the third was set aside").isEqualTo(2);
        String poisonQueue = "poisonendtoendhub-workitems-poison";
        assertThat(failed.getFailureDetails().getErrorMessage()).contains("Task 'Crash' (#0) failed")
                .contains("Activity 'Crash' (task #0)").contains("dequeued 3 times")
                .contains("moved to the poison queue " + poisonQueue);
        List<PeekedMessageItem> poison = StorageTestSupport.queues().getQueueClient(poisonQueue)
                .peekMessages(32, null, null).stream().toList();
        assertThat(poison).hasSize(1);
        MessageData setAside = MessageCodec.decode(poison.get(0).getBody().toString());
        assertThat(setAside.instanceId()).isEqualTo(id);
        assertThat(StorageTestSupport.messageCount("poisonendtoendhub-workitems")).isZero();

        // Once the cause is fixed, a rewind runs the activity again.
        CRASHING.set(false);
        client.rewindInstance(id, "crash fixed");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("fixed");
    }

    @Test
    void aFinishedInstancesRowThatDisagreesWithItsHistoryIsRepairedWhenAMessageArrives() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Quick", null, "row-behind-history");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(30), true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

        // Simulate a crash between the history commit and the Instances write: the row still says Running.
        TableEntity row = new TableEntity(id, "");
        row.addProperty("RuntimeStatus", "Running");
        row.addProperty("ExecutionId", done.getExecutionId());
        row.addProperty("Name", "Quick");
        row.addProperty("CreatedTime", done.getCreatedAt().atOffset(java.time.ZoneOffset.UTC));
        StorageTestSupport.tables().getTableClient(HUB + "Instances")
                .upsertEntityWithResponse(row, TableEntityUpdateMode.REPLACE, null, null);
        assertThat(client.getInstanceMetadata(id, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.RUNNING);

        client.raiseEvent(id, "late", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.getInstanceMetadata(id, false).getRuntimeStatus()
                == OrchestrationRuntimeStatus.COMPLETED);
        OrchestrationMetadata repaired = client.getInstanceMetadata(id, true);
        assertThat(repaired.readOutputAs(String.class)).isEqualTo("done");
        assertThat(repaired.getCompletedAt()).isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> StorageTestSupport.messageCount(CONTROL_QUEUE) == 0);
    }
}
