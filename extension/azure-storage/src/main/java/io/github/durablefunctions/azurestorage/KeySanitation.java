package io.github.durablefunctions.azurestorage;

/**
 * Escaping of instance IDs into table keys (the History and Instances {@code PartitionKey}), as
 * {@code KeySanitation.EscapePartitionKey} does (storage-layout.md §3.1). The escape character is {@code ^}:
 * {@code ^}→{@code ^^}, {@code /}→{@code ^0}, {@code \}→{@code ^1}, {@code #}→{@code ^2}, {@code ?}→{@code ^3}, and
 * control characters U+0000–U+001F and U+007F–U+009F → {@code ^} followed by {@code (char)(0xC0 + c)}. Not
 * idempotent: apply exactly once.
 */
final class KeySanitation {
    private static final char ESCAPE = '^';

    private KeySanitation() {
    }

    /** Escapes an instance ID into a partition key. */
    static String escapePartitionKey(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '^' -> "^^";
                case '/' -> "^0";
                case '\\' -> "^1";
                case '#' -> "^2";
                case '?' -> "^3";
                default -> isControl(c) ? new String(new char[]{ESCAPE, (char) (0xC0 + c)}) : null;
            };
            if (replacement != null && sb == null) {
                sb = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (sb != null) {
                if (replacement != null) {
                    sb.append(replacement);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? value : sb.toString();
    }

    /** Reverses {@link #escapePartitionKey(String)}. A trailing lone {@code ^} is kept as it is. */
    static String unescapePartitionKey(String key) {
        if (key.indexOf(ESCAPE) < 0) {
            return key;
        }
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != ESCAPE || i + 1 == key.length()) {
                sb.append(c);
                continue;
            }
            char next = key.charAt(++i);
            switch (next) {
                case '^' -> sb.append('^');
                case '0' -> sb.append('/');
                case '1' -> sb.append('\\');
                case '2' -> sb.append('#');
                case '3' -> sb.append('?');
                default -> sb.append(next >= 0xC0 ? (char) (next - 0xC0) : next);
            }
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
    }
}
