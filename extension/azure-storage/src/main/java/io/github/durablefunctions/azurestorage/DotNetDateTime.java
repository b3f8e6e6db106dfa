package io.github.durablefunctions.azurestorage;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Date-time text as Newtonsoft.Json writes .NET {@code DateTime} values in UTC (storage-layout.md §6.2): ISO-8601
 * round-trip with up to 7 fractional digits (100 ns ticks), trailing zeros dropped (no dot when the fraction is
 * zero), and {@code Z}, e.g. {@code 2023-04-05T03:31:23.6268922Z}.
 */
final class DotNetDateTime {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private DotNetDateTime() {
    }

    /** An instant truncated to .NET's 100 ns ticks. */
    static Instant toTicks(Instant instant) {
        return Instant.ofEpochSecond(instant.getEpochSecond(), instant.getNano() / 100 * 100);
    }

    /** {@code 2023-04-05T03:31:23.6268922Z} (DateTime, UTC). */
    static String format(Instant instant) {
        return formatWithSuffix(instant, "Z");
    }

    /** {@code 2023-04-05T03:31:23.6268922+00:00} (a UTC DateTimeOffset, as Newtonsoft writes it). */
    static String formatOffset(Instant instant) {
        return formatWithSuffix(instant, "+00:00");
    }

    private static String formatWithSuffix(Instant instant, String suffix) {
        StringBuilder sb = new StringBuilder(SECONDS.format(instant));
        int ticks = instant.getNano() / 100;
        if (ticks != 0) {
            String digits = String.format("%07d", ticks);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(digits, 0, end);
        }
        return sb.append(suffix).toString();
    }

    /**
     * Parses ISO-8601 text with a {@code Z} or numeric offset, or without a zone (then taken as UTC, as DTFx writes
     * only UTC times).
     *
     * @throws IllegalArgumentException if the text is not an ISO-8601 date-time
     */
    static Instant parse(String text) {
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.trim());
            if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
                return OffsetDateTime.from(parsed).toInstant();
            }
            return LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Not an ISO-8601 date-time: '" + text + "'", e);
        }
    }
}
