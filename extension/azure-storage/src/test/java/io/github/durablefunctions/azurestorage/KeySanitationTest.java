package io.github.durablefunctions.azurestorage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Partition-key escaping of storage-layout.md §3.1. */
class KeySanitationTest {

    @Test
    void escapesTheReservedCharacters() {
        assertThat(KeySanitation.escapePartitionKey("a^b")).isEqualTo("a^^b");
        assertThat(KeySanitation.escapePartitionKey("a/b")).isEqualTo("a^0b");
        assertThat(KeySanitation.escapePartitionKey("a\\b")).isEqualTo("a^1b");
        assertThat(KeySanitation.escapePartitionKey("a#b")).isEqualTo("a^2b");
        assertThat(KeySanitation.escapePartitionKey("a?b")).isEqualTo("a^3b");
    }

    @Test
    void escapesControlCharactersAsCaretPlusC0Offset() {
        assertThat(KeySanitation.escapePartitionKey("a\nb")).isEqualTo("a^\u00CAb");
        assertThat(KeySanitation.escapePartitionKey("\u0000")).isEqualTo("^\u00C0");
        assertThat(KeySanitation.escapePartitionKey("\u001F")).isEqualTo("^\u00DF");
        assertThat(KeySanitation.escapePartitionKey("\u007F")).isEqualTo("^\u013F");
        assertThat(KeySanitation.escapePartitionKey("\u009F")).isEqualTo("^\u015F");
    }

    @Test
    void leavesOrdinaryIdsUnchanged() {
        String id = "f71ac761454f41468d9923ac39e9bdbc";
        assertThat(KeySanitation.escapePartitionKey(id)).isSameAs(id);
        assertThat(KeySanitation.escapePartitionKey("@counter@myKey")).isEqualTo("@counter@myKey");
        assertThat(KeySanitation.escapePartitionKey("h\u00E9llo \u00A0 w\u00F6rld")).isEqualTo(
                "h\u00E9llo \u00A0 w\u00F6rld");
    }

    @Test
    void isNotIdempotent() {
        assertThat(KeySanitation.escapePartitionKey(KeySanitation.escapePartitionKey("a/b"))).isEqualTo("a^^0b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "a^b", "^^^", "/\\#?", "x/y\\z#w?v^u", "tab\there", "nl\nand\u0085nel",
            "\u0000\u001F\u007F\u009F", "\u00C0\u00CA", "@entity@key/with?chars"})
    void unescapeReversesEscape(String id) {
        assertThat(KeySanitation.unescapePartitionKey(KeySanitation.escapePartitionKey(id))).isEqualTo(id);
    }

    @Test
    void unescapeMapsOtherCharactersAfterTheCaretLikeDtfx() {
        assertThat(KeySanitation.unescapePartitionKey("^\u00CA")).isEqualTo("\n");
        assertThat(KeySanitation.unescapePartitionKey("^x")).isEqualTo("x");
        assertThat(KeySanitation.unescapePartitionKey("end^")).isEqualTo("end^");
    }
}
