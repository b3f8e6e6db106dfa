package io.github.durablefunctions.bench;

import java.lang.management.ManagementFactory;

/**
 * The machine a run was measured on.
 *
 * @param cores          available processors
 * @param memoryBytes    physical memory
 * @param jdk            {@code java.vendor java.runtime.version}
 * @param os             {@code os.name os.version os.arch}
 * @param azuriteVersion the Azurite npm version
 * @param date           when the run started (ISO-8601, UTC)
 */
public record MachineInfo(int cores, long memoryBytes, String jdk, String os, String azuriteVersion, String date) {

    /** This machine. */
    public static MachineInfo current(String azuriteVersion, String date) {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"), azuriteVersion, date);
    }

    /** One line for the report. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%d cores, %.1f GiB memory, JDK %s, %s, Azurite %s, %s", cores,
                memoryBytes / (1024.0 * 1024 * 1024), jdk, os, azuriteVersion, date);
    }
}
