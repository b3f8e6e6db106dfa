package io.github.durablefunctions.azurefunctions;

import java.nio.charset.StandardCharsets;

/** Percent-encoding as .NET's {@code Uri.EscapeDataString}: everything but {@code A-Z a-z 0-9 - _ . ~} is escaped. */
final class UriEscaping {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEscaping() {
    }

    static String escapeDataString(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
