package io.github.durablefunctions.azurestorage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The FNV-1a partitioning of storage-layout.md §2, with all its test vectors. */
class Fnv1aHashTest {

    @ParameterizedTest(name = "\"{0}\" -> {1} -> {2}/4, {3}/16")
    @CsvSource(value = {
            "'', 811C9DC5, 1, 5",
            "a, E40C292C, 0, 12",
            "abc, 1A47E90B, 3, 11",
            "@counter@myKey, 69DFC660, 0, 0",
            "f71ac761454f41468d9923ac39e9bdbc, 6198F775, 1, 5"
    })
    void matchesTheTestVectorsOfTheSpec(String id, String hexHash, int index4, int index16) {
        assertThat(Fnv1aHash.hash(id)).isEqualTo(Long.parseLong(hexHash, 16));
        assertThat(Fnv1aHash.partitionIndex(id, 4)).isEqualTo(index4);
        assertThat(Fnv1aHash.partitionIndex(id, 16)).isEqualTo(index16);
    }

    @Test
    void controlQueueNamesFollowTheHashWithTwoDigitIndexes() {
        TaskHubNames names = new TaskHubNames("MyHub", 16);
        assertThat(names.controlQueueFor("a")).isEqualTo("myhub-control-12");
        assertThat(names.controlQueueFor("")).isEqualTo("myhub-control-05");
        assertThat(new TaskHubNames("MyHub", 4).controlQueueFor("abc")).isEqualTo("myhub-control-03");
    }

    @Test
    void loneSurrogatesAreEncodedAsTheReplacementCharacterLikeDotNet() {
        assertThat(Fnv1aHash.utf8LikeDotNet("x\uD800y")).containsExactly(0x78, 0xEF, 0xBF, 0xBD, 0x79);
        assertThat(Fnv1aHash.utf8LikeDotNet("\uDC00")).containsExactly(0xEF, 0xBF, 0xBD);
        assertThat(Fnv1aHash.hash("a\uD800")).isEqualTo(Fnv1aHash.hash("a\uFFFD"));
        assertThat(Fnv1aHash.hash("a\uD800")).isNotEqualTo(Fnv1aHash.hash("a?"));
    }

    @Test
    void surrogatePairsAreEncodedAsOneFourByteSequence() {
        assertThat(Fnv1aHash.utf8LikeDotNet("\uD83D\uDE00")).containsExactly(0xF0, 0x9F, 0x98, 0x80);
    }

    @Test
    void hashIsUnsignedSoTheRemainderIsNeverNegative() {
        // 0xE40C292C has the high bit set: a signed remainder would be negative.
        assertThat(Fnv1aHash.partitionIndex("a", 7)).isEqualTo((int) (0xE40C292CL % 7));
        assertThatThrownBy(() -> Fnv1aHash.partitionIndex("a", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
