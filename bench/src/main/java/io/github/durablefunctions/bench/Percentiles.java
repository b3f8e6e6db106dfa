package io.github.durablefunctions.bench;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the ⌈p/100 · n⌉-th value. */
public final class Percentiles {
    private final double[] sorted;

    /** Percentiles of {@code values} (copied and sorted). */
    public Percentiles(Collection<Double> values) {
        this.sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** Percentiles of {@code values} (copied and sorted). */
    public Percentiles(double... values) {
        this.sorted = values.clone();
        Arrays.sort(this.sorted);
    }

    /** How many values there are. */
    public int count() {
        return sorted.length;
    }

    /**
     * The p-th percentile, or null when there are no values.
     *
     * @param p a percentage in (0, 100]
     * @throws IllegalArgumentException if p is outside (0, 100]
     */
    public Double percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("A percentile must be in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    /** The largest value, or null when there are none. */
    public Double max() {
        return sorted.length == 0 ? null : sorted[sorted.length - 1];
    }
}
