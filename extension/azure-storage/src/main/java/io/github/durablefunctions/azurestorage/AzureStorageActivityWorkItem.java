package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.backend.ActivityWorkItem;

/** An activity work item of this backend: one {@code {h}-workitems} message and its receipt. */
final class AzureStorageActivityWorkItem extends ActivityWorkItem {
    private final ReceivedMessage message;

    AzureStorageActivityWorkItem(ReceivedMessage message) {
        super(message.messageId(), message.data().taskMessage());
        this.message = message;
    }

    ReceivedMessage message() {
        return message;
    }
}
