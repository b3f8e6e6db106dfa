package io.github.durablefunctions.host.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeSpansTest {

    @Test
    void parsesHoursMinutesSeconds() {
        assertThat(TimeSpans.parse("00:05:00")).isEqualTo(Duration.ofMinutes(5));
        assertThat(TimeSpans.parse("01:02:03")).isEqualTo(Duration.ofSeconds(3723));
        assertThat(TimeSpans.parse(" 00:00:30 ")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parsesDaysFractionsAndHoursMinutesOnly() {
        assertThat(TimeSpans.parse("1.00:00:00")).isEqualTo(Duration.ofDays(1));
        assertThat(TimeSpans.parse("00:00:00.250")).isEqualTo(Duration.ofMillis(250));
        assertThat(TimeSpans.parse("00:10")).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void rejectsOtherNotationsWithTheValueInTheMessage() {
        assertThatThrownBy(() -> TimeSpans.parse("30s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'30s'").hasMessageContaining("hh:mm:ss");
        assertThatThrownBy(() -> TimeSpans.parse("5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimeSpans.parse("00:61:00")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minutes");
        assertThatThrownBy(() -> TimeSpans.parse("-00:00:01")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsAsHoursMinutesSeconds() {
        assertThat(TimeSpans.format(Duration.ofSeconds(30))).isEqualTo("00:00:30");
        assertThat(TimeSpans.format(Duration.ofDays(2).plusMinutes(1))).isEqualTo("2.00:01:00");
    }
}
