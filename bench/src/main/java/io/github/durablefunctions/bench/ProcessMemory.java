package io.github.durablefunctions.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory this JVM uses: the peak heap in use, sampled every 20 ms on a daemon thread from {@link #start()} on
 * (the heap's {@code used} bytes from {@link MemoryMXBean}, so a peak between two samples can be missed by at most
 * what 20 ms allocate), and the peak resident set size of the process ({@code VmHWM} in {@code /proc/self/status},
 * Linux only; the kernel keeps that maximum itself).
 */
public final class ProcessMemory {
    private static final long SAMPLE_MILLIS = 20;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private volatile long peakHeapBytes;
    private volatile boolean running;
    private Thread sampler;

    /** Starts sampling. */
    public synchronized ProcessMemory start() {
        running = true;
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        return this;
    }

    /** Stops sampling (after one last sample). */
    public synchronized void stop() {
        running = false;
        if (sampler != null) {
            sampler.interrupt();
        }
        sample();
    }

    private void sample() {
        long used = memory.getHeapMemoryUsage().getUsed();
        if (used > peakHeapBytes) {
            peakHeapBytes = used;
        }
    }

    /** The largest heap use seen, in bytes. */
    public long peakHeapBytes() {
        return peakHeapBytes;
    }

    /** The heap limit ({@code -Xmx}) in bytes, or -1 if undefined. */
    public long maxHeapBytes() {
        return memory.getHeapMemoryUsage().getMax();
    }

    /**
     * The peak resident set size of this process in bytes ({@code VmHWM}), or -1 where {@code /proc/self/status} is
     * not available.
     */
    public static long peakRssBytes() {
        return procStatusKb("VmHWM");
    }

    /** The current resident set size in bytes ({@code VmRSS}), or -1. */
    public static long rssBytes() {
        return procStatusKb("VmRSS");
    }

    private static long procStatusKb(String field) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
