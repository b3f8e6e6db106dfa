package io.github.durablefunctions.entities;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The entity message sorter (storage-layout.md §9): labelling on the sending side, ordering on the receiving side. */
class MessageSorterTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration WINDOW = MessageSorter.DEFAULT_REORDER_WINDOW;
    private static final String TARGET = "@counter@a";

    private final MessageSorter sender = new MessageSorter();
    private final MessageSorter receiver = new MessageSorter();

    private RequestMessage sent(String op, Instant now, String parent, String execution) {
        RequestMessage m = request(op, parent, execution);
        sender.labelOutgoingMessage(m, TARGET, now, WINDOW);
        return m;
    }

    private static RequestMessage request(String op, String parent, String execution) {
        RequestMessage m = new RequestMessage();
        m.operation = op;
        m.id = op;
        m.parentInstanceId = parent;
        m.parentExecutionId = execution;
        return m;
    }

    private RequestMessage sent(String op, Instant now) {
        return sent(op, now, "orch1", "e1");
    }

    private static List<String> ops(List<RequestMessage> messages) {
        return messages.stream().map(m -> m.operation).toList();
    }

    @Test
    void labelsAreStrictlyIncreasingPerTargetWithThePreviousAsPredecessor() {
        RequestMessage first = sent("a", T0);
        RequestMessage sameTime = sent("b", T0);
        RequestMessage later = sent("c", T0.plusSeconds(1));

        assertThat(first.timestamp).isEqualTo(T0);
        assertThat(first.predecessor).isNull();
        assertThat(sameTime.timestamp).isEqualTo(T0.plusNanos(100)); // one .NET tick later
        assertThat(sameTime.predecessor).isEqualTo(T0);
        assertThat(later.timestamp).isEqualTo(T0.plusSeconds(1));
        assertThat(later.predecessor).isEqualTo(sameTime.timestamp);

        RequestMessage other = request("x", "orch1", "e1");
        sender.labelOutgoingMessage(other, "@counter@other", T0, WINDOW);
        assertThat(other.predecessor).as("another target has its own sequence").isNull();
        assertThat(sender.lastSentToInstance).containsKeys(TARGET, "@counter@other");
    }

    @Test
    void messagesInOrderAreDeliveredOneByOne() {
        RequestMessage a = sent("a", T0);
        RequestMessage b = sent("b", T0.plusSeconds(1));
        RequestMessage c = sent("c", T0.plusSeconds(2));

        assertThat(ops(receiver.receiveInOrder(a, WINDOW))).containsExactly("a");
        assertThat(ops(receiver.receiveInOrder(b, WINDOW))).containsExactly("b");
        assertThat(ops(receiver.receiveInOrder(c, WINDOW))).containsExactly("c");
    }

    @Test
    void aMessageBeforeItsPredecessorWaitsAndIsReleasedWithIt() {
        RequestMessage a = sent("a", T0);
        RequestMessage b = sent("b", T0.plusSeconds(1));
        RequestMessage c = sent("c", T0.plusSeconds(2));

        assertThat(receiver.receiveInOrder(c, WINDOW)).isEmpty();
        assertThat(receiver.receiveInOrder(b, WINDOW)).isEmpty();
        assertThat(ops(receiver.receiveInOrder(a, WINDOW))).containsExactly("a", "b", "c");
    }

    @Test
    void bufferedMessagesSurviveAJsonRoundTripOfTheSorter() {
        RequestMessage a = sent("a", T0);
        RequestMessage b = sent("b", T0.plusSeconds(1));
        assertThat(receiver.receiveInOrder(RequestMessage.fromJson(b.toJson()), WINDOW)).isEmpty();

        SchedulerState stored = new SchedulerState();
        stored.sorter = receiver;
        MessageSorter reloaded = SchedulerState.fromJson(stored.toJson()).sorter;

        assertThat(ops(reloaded.receiveInOrder(RequestMessage.fromJson(a.toJson()), WINDOW)))
                .containsExactly("a", "b");
    }

    @Test
    void duplicatesAreDropped() {
        RequestMessage a = sent("a", T0);
        RequestMessage b = sent("b", T0.plusSeconds(1));

        assertThat(ops(receiver.receiveInOrder(a, WINDOW))).containsExactly("a");
        assertThat(receiver.receiveInOrder(a, WINDOW)).isEmpty();
        assertThat(ops(receiver.receiveInOrder(b, WINDOW))).containsExactly("b");
        assertThat(receiver.receiveInOrder(a, WINDOW)).isEmpty();
        assertThat(receiver.receiveInOrder(b, WINDOW)).isEmpty();
    }

    @Test
    void aNewSenderExecutionStartsANewSequenceAndReleasesWhatTheOldOneLeftBuffered() {
        sent("lost", T0);
        RequestMessage waiting = sent("waiting", T0.plusSeconds(1));
        assertThat(receiver.receiveInOrder(waiting, WINDOW)).isEmpty();

        // The sender continued as new: its new execution labels with a fresh sorter, at an earlier time even.
        MessageSorter newSender = new MessageSorter();
        RequestMessage fresh = request("fresh", "orch1", "e2");
        newSender.labelOutgoingMessage(fresh, TARGET, T0.plusMillis(500), WINDOW);

        assertThat(ops(receiver.receiveInOrder(fresh, WINDOW))).containsExactly("waiting", "fresh");
        assertThat(receiver.receivedFromInstance.get("orch1").executionId).isEqualTo("e2");
    }

    @Test
    void clientSignalsForwardedLockRequestsAndScheduledSignalsBypassTheSorter() {
        RequestMessage client = request("fromClient", null, null);
        assertThat(ops(receiver.receiveInOrder(client, WINDOW))).containsExactly("fromClient");
        assertThat(ops(receiver.receiveInOrder(client, WINDOW))).as("no duplicate detection without a parent")
                .containsExactly("fromClient");

        RequestMessage forwarded = sent("lock", T0.plusSeconds(5));
        forwarded.predecessor = T0.plusSeconds(4); // never delivered here
        forwarded.position = 1;
        assertThat(ops(receiver.receiveInOrder(forwarded, WINDOW))).containsExactly("lock");

        RequestMessage unlabelled = request("scheduled", "@counter@b", null);
        assertThat(ops(receiver.receiveInOrder(unlabelled, WINDOW))).containsExactly("scheduled");
        assertThat(receiver.isEmpty()).isTrue();
    }

    @Test
    void aZeroWindowTurnsOrderingOff() {
        RequestMessage m = request("a", "orch1", "e1");
        sender.labelOutgoingMessage(m, TARGET, T0, Duration.ZERO);
        assertThat(m.timestamp).isNull();
        assertThat(sender.isEmpty()).isTrue();

        m.timestamp = T0;
        m.predecessor = T0.minusSeconds(1);
        assertThat(ops(receiver.receiveInOrder(m, Duration.ZERO))).containsExactly("a");
    }

    @Test
    void aMissingPredecessorIsGivenUpOnceTheWindowHasPassed() {
        sent("lost", T0);
        RequestMessage waiting = sent("waiting", T0.plusSeconds(1));
        assertThat(receiver.receiveInOrder(waiting, WINDOW)).isEmpty();

        RequestMessage muchLater = sent("later", T0.plus(WINDOW).plusSeconds(60));

        assertThat(ops(receiver.receiveInOrder(muchLater, WINDOW))).containsExactly("waiting", "later");
    }
}
