package io.github.durablefunctions.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PercentilesTest {
    @Test
    void nearestRankOfOneToHundredIsTheRankItself() {
        double[] values = new double[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i; // unsorted on purpose
        }
        Percentiles p = new Percentiles(values);
        assertThat(p.percentile(50)).isEqualTo(50.0);
        assertThat(p.percentile(95)).isEqualTo(95.0);
        assertThat(p.percentile(99)).isEqualTo(99.0);
        assertThat(p.percentile(100)).isEqualTo(100.0);
        assertThat(p.max()).isEqualTo(100.0);
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        Percentiles p = new Percentiles(List.of(10.0, 30.0, 20.0));
        assertThat(p.percentile(50)).isEqualTo(20.0); // ceil(1.5) = 2nd
        assertThat(p.percentile(99)).isEqualTo(30.0);
        assertThat(p.percentile(1)).isEqualTo(10.0);
    }

    @Test
    void noValuesHaveNoPercentiles() {
        Percentiles p = new Percentiles(List.of());
        assertThat(p.percentile(50)).isNull();
        assertThat(p.max()).isNull();
        assertThat(p.count()).isZero();
    }

    @Test
    void percentilesOutsideZeroToHundredAreRefused() {
        Percentiles p = new Percentiles(1.0);
        assertThatThrownBy(() -> p.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
