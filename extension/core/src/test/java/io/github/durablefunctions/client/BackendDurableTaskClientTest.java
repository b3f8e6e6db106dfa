package io.github.durablefunctions.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackendDurableTaskClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "a\\b", "a#b", "a?b", "a\nb", "a\u0000b"})
    void instanceIdsWithReservedOrControlCharactersAreRejected(String id) {
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId(id))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not allowed");
    }

    @Test
    void instanceIdsStartingWithAtAreReservedForEntities() {
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId("@counter@k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved for entities");
    }

    @Test
    void emptyAndOverlongInstanceIdsAreRejected() {
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId("x".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256");
    }

    @Test
    void ordinaryInstanceIdsAreAccepted() {
        assertThatCode(() -> BackendDurableTaskClient.validateInstanceId("order-42_ü.2026")).doesNotThrowAnyException();
        assertThatCode(() -> BackendDurableTaskClient.validateInstanceId("x".repeat(256))).doesNotThrowAnyException();
    }
}
