package io.tributary.job.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** How an epoch's batches are dealt to steps: each once, in whole units a partition, as a function of (seed, epoch). */
class EpochPlanTest {
    /** Offsets of partitions of the given batch counts. */
    private static int[] offsets(int... counts) {
        int[] o = new int[counts.length];
        for (int p = 1; p < counts.length; p++) o[p] = o[p - 1] + counts[p - 1];
        return o;
    }

    /** counts[step][partition]: how many of a partition's batches each step takes. */
    private static int[][] perStepAndPartition(EpochPlan plan, int... counts) {
        int[][] n = new int[plan.steps()][counts.length];
        int b = 0;
        for (int p = 0; p < counts.length; p++) {
            for (int i = 0; i < counts[p]; i++) n[plan.stepOfBatch()[b++]][p]++;
        }
        return n;
    }

    @Test
    void everyStepButTheLastTakesWholeUnitsFromEveryPartition() {
        // 4 workers averaging every 5 batches: a unit is 20 batches, 5 from each partition.
        int[] counts = {469, 469, 470, 468};
        int total = Arrays.stream(counts).sum();
        EpochPlan plan = EpochPlan.of(offsets(counts), total, 20, 42, 1);
        assertTrue(plan.steps() <= EpochPlan.MAX_STEPS);
        int[][] n = perStepAndPartition(plan, counts);
        int share = n[0][0];
        assertEquals(0, share % 5, "a whole number of averaging rounds: " + share);
        for (int s = 0; s < plan.steps() - 1; s++) {
            for (int p = 0; p < counts.length; p++) {
                assertEquals(share, n[s][p], "step " + s + ", partition " + p);
            }
        }
        assertEquals(total, Arrays.stream(n).flatMapToInt(Arrays::stream).sum(), "every batch once");
    }

    @Test
    void theDefaultsOnTwoWorkersTakeTwentyBatchesAWorkerAStep() {
        int[] counts = {235, 234};
        EpochPlan plan = EpochPlan.of(offsets(counts), 469, 40, 42, 1);
        int[][] n = perStepAndPartition(plan, counts);
        assertEquals(12, plan.steps());
        for (int s = 0; s < 11; s++) {
            assertArrayEquals(new int[] {20, 20}, n[s], "step " + s);
        }
        assertArrayEquals(new int[] {15, 14}, n[11], "the last step takes what is left");
    }

    @Test
    void theOrderIsAFunctionOfSeedAndEpoch() {
        int[] o = offsets(100, 101);
        EpochPlan a = EpochPlan.of(o, 201, 8, 7, 3);
        assertArrayEquals(a.stepOfBatch(), EpochPlan.of(o, 201, 8, 7, 3).stepOfBatch(), "the same plan again");
        assertFalse(Arrays.equals(a.stepOfBatch(), EpochPlan.of(o, 201, 8, 7, 4).stepOfBatch()), "another epoch");
        assertFalse(Arrays.equals(a.stepOfBatch(), EpochPlan.of(o, 201, 8, 8, 3).stepOfBatch()), "another seed");
        int listed = 0;
        for (int s = 0; s < a.steps(); s++) listed += a.batchesOf(s).size();
        assertEquals(201, listed);
    }

    @Test
    void fewerBatchesThanAUnitMakeOneStep() {
        EpochPlan plan = EpochPlan.of(offsets(3, 1), 4, 40, 1, 1);
        assertEquals(1, plan.steps());
        assertTrue(Arrays.stream(plan.stepOfBatch()).allMatch(s -> s == 0));
    }
}
