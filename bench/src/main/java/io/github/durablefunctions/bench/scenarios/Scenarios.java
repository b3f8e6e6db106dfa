package io.github.durablefunctions.bench.scenarios;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Every scenario, in the order they run. */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(new HelloCities5(), new Sequential(), new FanOutFanIn(),
            new ExternalEvents(), new EntityCounter(), new Latency(), new Idle(), new Memory());

    private Scenarios() {
    }

    /** All scenarios in run order. */
    public static List<Scenario> all() {
        return ALL;
    }

    /**
     * The scenario of that name (ignoring case).
     *
     * @throws IllegalArgumentException naming the known scenarios if there is none
     */
    public static Scenario named(String name) {
        for (Scenario scenario : ALL) {
            if (scenario.name().equalsIgnoreCase(name.trim())) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("Unknown scenario '" + name + "'; known: "
                + ALL.stream().map(Scenario::name).toList());
    }

    /**
     * The scenarios of a comma-separated list, in run order; {@code all} (or blank) means every one.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static List<Scenario> parse(String list) {
        if (list == null || list.isBlank() || list.trim().toLowerCase(Locale.ROOT).equals("all")) {
            return ALL;
        }
        List<Scenario> chosen = new ArrayList<>();
        Arrays.stream(list.split(",")).filter(s -> !s.isBlank()).map(Scenarios::named).forEach(chosen::add);
        return ALL.stream().filter(chosen::contains).toList();
    }
}
