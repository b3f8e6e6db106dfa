package io.github.durablefunctions.host.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats durations in the .NET {@code TimeSpan} notation that {@code host.json} uses:
 * {@code [d.]hh:mm[:ss[.fffffff]]}, e.g. {@code "00:05:00"} (5 minutes), {@code "1.00:00:00"} (1 day),
 * {@code "00:00:00.250"} (250 ms). Hours are 0-23, minutes and seconds 0-59, as in .NET.
 */
public final class TimeSpans {
    private static final Pattern TIME_SPAN = Pattern.compile(
            "(?:(\\d+)\\.)?(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,7}))?)?");

    private TimeSpans() {
    }

    /**
     * Parses a {@code TimeSpan} string.
     *
     * @param text e.g. {@code "00:00:30"}; surrounding white space is ignored
     * @return the duration, never negative
     * @throws IllegalArgumentException if {@code text} is not in the notation above (the message quotes it)
     */
    public static Duration parse(String text) {
        Matcher m = TIME_SPAN.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration in the form hh:mm:ss");
        }
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        int hours = Integer.parseInt(m.group(2));
        int minutes = Integer.parseInt(m.group(3));
        int seconds = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
        if (hours > 23 || minutes > 59 || seconds > 59) {
            throw new IllegalArgumentException("'" + text + "' is not a duration in the form hh:mm:ss"
                    + " (hours 0-23, minutes and seconds 0-59)");
        }
        long nanos = 0;
        if (m.group(5) != null) {
            String fraction = (m.group(5) + "000000000").substring(0, 9);
            nanos = Long.parseLong(fraction);
        }
        return Duration.ofDays(days).plusHours(hours).plusMinutes(minutes).plusSeconds(seconds).plusNanos(nanos);
    }

    /** Formats a duration as {@code hh:mm:ss} ({@code d.hh:mm:ss} from one day on; fractions are dropped). */
    public static String format(Duration duration) {
        long days = duration.toDays();
        String time = String.format("%02d:%02d:%02d", duration.toHoursPart(), duration.toMinutesPart(),
                duration.toSecondsPart());
        return days > 0 ? days + "." + time : time;
    }
}
