package io.github.durablefunctions.azurestorage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancing rule of storage-layout.md §5.1 ({@link TablePartitionManager#stealCounts}): target =
 * {@code floor(#partitions / (#other owners + 1))}; steal up to the target only from workers above it, and one more
 * from a worker more than one above it. Checked case by case, then by simulating workers that join and run passes in
 * random order: ownership must settle within {floor, floor + 1} per worker and then never move again (no ping-pong).
 */
class PartitionBalancingTest {

    @Test
    void fourPartitionsGoTwoTwoOnTwoWorkersAndTwoOneOneOnThree() {
        // B joins A, which owns all four: B takes two (A is more than one above the target of 2).
        assertThat(TablePartitionManager.stealCounts(4, 0, Map.of("A", 4))).containsExactly(Map.entry("A", 2));
        // 2/2 is balanced for both.
        assertThat(TablePartitionManager.stealCounts(4, 2, Map.of("A", 2))).isEmpty();
        assertThat(TablePartitionManager.stealCounts(4, 2, Map.of("B", 2))).isEmpty();
        // C joins: the target is 1, C takes one, from the first worker above it (not one from each).
        assertThat(TablePartitionManager.stealCounts(4, 0, new TreeMap<>(Map.of("A", 2, "B", 2))))
                .containsExactly(Map.entry("A", 1));
        // 1/2/1 is then stable from every point of view.
        assertThat(TablePartitionManager.stealCounts(4, 1, Map.of("B", 2, "C", 1))).isEmpty();
        assertThat(TablePartitionManager.stealCounts(4, 2, Map.of("A", 1, "C", 1))).isEmpty();
        assertThat(TablePartitionManager.stealCounts(4, 1, Map.of("A", 1, "B", 2))).isEmpty();
    }

    @Test
    void aWorkerAtTheTargetTakesOneMoreOnlyFromAWorkerMoreThanOneAboveIt() {
        // 5 partitions on 3 workers: target 1. A has 3 (two above): B, at the target, takes one.
        assertThat(TablePartitionManager.stealCounts(5, 1, Map.of("A", 3, "C", 1))).containsExactly(
                Map.entry("A", 1));
        // 2/2/1: A and B are only one above the target: nothing moves.
        assertThat(TablePartitionManager.stealCounts(5, 1, Map.of("A", 2, "B", 2))).isEmpty();
        // A worker above the target never steals.
        assertThat(TablePartitionManager.stealCounts(5, 2, Map.of("A", 3))).isEmpty();
        // Alone, there is nobody to steal from.
        assertThat(TablePartitionManager.stealCounts(4, 0, Map.of())).isEmpty();
        // More workers than partitions: the target is 0, idle workers do not steal.
        assertThat(TablePartitionManager.stealCounts(2, 0, Map.of("A", 1, "B", 1))).isEmpty();
    }

    @Test
    void ownershipSettlesWithinOneOfTheFairShareAndThenStaysPut() {
        Random random = new Random(42);
        for (int run = 0; run < 2_000; run++) {
            int partitions = 1 + random.nextInt(16);
            int workers = 1 + random.nextInt(8);
            String[] owner = new String[partitions];
            // Some workers start with arbitrary shares, the others join with none.
            for (int p = 0; p < partitions; p++) {
                owner[p] = random.nextInt(3) == 0 ? null : "w" + random.nextInt(Math.max(1, workers / 2));
            }
            String start = Arrays.toString(owner);
            int rounds = 0;
            while (round(owner, workers, random)) {
                rounds++;
                assertThat(rounds).as("no convergence from %s on %d workers", start, workers).isLessThan(50);
            }
            Map<String, Integer> counts = counts(owner, workers);
            int floor = partitions / workers;
            assertThat(counts.values()).as("settled %s from %s", counts, start)
                    .allSatisfy(c -> assertThat(c).isBetween(floor, floor + 1));
            for (int extra = 0; extra < 5; extra++) {
                assertThat(round(owner, workers, random)).as("moved again after settling at %s", counts).isFalse();
            }
        }
    }

    /** Every worker runs one pass, in random order; a steal completes at once. True if anything moved. */
    private static boolean round(String[] owner, int workers, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            order.add(w);
        }
        java.util.Collections.shuffle(order, random);
        boolean moved = false;
        for (int w : order) {
            String me = "w" + w;
            for (int p = 0; p < owner.length; p++) {
                if (owner[p] == null) {
                    owner[p] = me; // free rows are claimed by whoever reads them first
                    moved = true;
                }
            }
            Map<String, Integer> others = new TreeMap<>();
            int mine = 0;
            for (String o : owner) {
                if (o.equals(me)) {
                    mine++;
                } else {
                    others.merge(o, 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> steal : TablePartitionManager.stealCounts(owner.length, mine, others)
                    .entrySet()) {
                int left = steal.getValue();
                for (int p = 0; p < owner.length && left > 0; p++) {
                    if (owner[p].equals(steal.getKey())) {
                        owner[p] = me;
                        left--;
                        moved = true;
                    }
                }
            }
        }
        return moved;
    }

    private static Map<String, Integer> counts(String[] owner, int workers) {
        Map<String, Integer> counts = new HashMap<>();
        for (int w = 0; w < workers; w++) {
            counts.put("w" + w, 0);
        }
        for (String o : owner) {
            counts.merge(o, 1, Integer::sum);
        }
        return counts;
    }
}
