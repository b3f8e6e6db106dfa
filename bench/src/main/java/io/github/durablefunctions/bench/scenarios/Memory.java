package io.github.durablefunctions.bench.scenarios;

/** Memory: HelloCities5 at the same count, in a JVM limited to {@code -Xmx256m}; the target is that it completes. */
public final class Memory extends HelloCities5 {
    @Override
    public String name() {
        return "Memory";
    }

    @Override
    public String maxHeap() {
        return "256m";
    }
}
