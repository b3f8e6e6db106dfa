package io.github.durablefunctions.replay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Name-based UUIDs of version 5 (SHA-1), as RFC 4122 §4.3 defines them. */
final class NameBasedUuid {
    private NameBasedUuid() {
    }

    /**
     * The version-5 UUID of {@code name} (encoded as UTF-8) in {@code namespace}: the first 16 bytes of
     * SHA-1(namespace bytes, big-endian, followed by the name bytes), with the version nibble set to 5 and the variant
     * bits to RFC 4122's {@code 10}.
     */
    static UUID v5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no SHA-1 MessageDigest, which every Java platform must have",
                    e);
        }
        ByteBuffer namespaceBytes = ByteBuffer.allocate(16);
        namespaceBytes.putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits());
        sha1.update(namespaceBytes.array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong());
    }
}
