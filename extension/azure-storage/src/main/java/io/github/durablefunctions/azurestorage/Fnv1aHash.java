package io.github.durablefunctions.azurestorage;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The 32-bit FNV-1a hash that maps instance IDs to control queues, as the Durable Task Framework computes it
 * (storage-layout.md §2): offset basis 2166136261, prime 16777619, over the UTF-8 bytes of the ID exactly as given.
 * Unpaired surrogates are encoded as U+FFFD ({@code EF BF BD}) like .NET's {@code Encoding.UTF8}, not as {@code ?}
 * like Java's {@code String.getBytes}.
 */
final class Fnv1aHash {
    private static final int OFFSET_BASIS = 0x811C9DC5;
    private static final int PRIME = 16777619;
    private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    private Fnv1aHash() {
    }

    /** The FNV-1a-32 hash of {@code value}'s .NET-style UTF-8 bytes, as an unsigned value in a long. */
    static long hash(String value) {
        int hash = OFFSET_BASIS;
        for (byte b : utf8LikeDotNet(value)) {
            hash ^= (b & 0xFF);
            hash *= PRIME;
        }
        return Integer.toUnsignedLong(hash);
    }

    /**
     * The partition (control queue index) of an instance ID: {@code hash % partitionCount}, unsigned.
     *
     * @throws IllegalArgumentException if {@code partitionCount} is not positive
     */
    static int partitionIndex(String instanceId, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitionCount must be positive, was " + partitionCount);
        }
        return (int) (hash(instanceId) % partitionCount);
    }

    /** UTF-8 bytes with lone surrogates replaced by EF BF BD, as .NET's {@code Encoding.UTF8.GetBytes} writes. */
    static byte[] utf8LikeDotNet(String value) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(REPLACEMENT);
        try {
            ByteBuffer buffer = encoder.encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 encoding with replacement cannot fail", e);
        }
    }
}
