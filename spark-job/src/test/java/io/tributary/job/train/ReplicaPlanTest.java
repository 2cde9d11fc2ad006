package io.tributary.job.train;

import io.tributary.job.read.ExampleIdentity;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How replicas visit their examples and how their results are averaged: pure functions of (seed, epoch,
 * round, replica), every example once an epoch, and an average that depends on the replicas' order only.
 */
class ReplicaPlanTest {
    @Test
    void roundsCoverEveryReplicasMinibatchesOnceAndUnevenReplicasSitOutTheLastRounds() {
        // 1000 and 950 examples in minibatches of 32: 32 and 30 minibatches, 5 a round: 7 rounds.
        ReplicaPlan plan = new ReplicaPlan(32, 5, 42, new int[] {1000, 950});
        assertEquals(7, plan.rounds());
        assertEquals(List.of(5, 5, 5, 5, 5, 5, 2), perRound(plan, 0));
        assertEquals(List.of(5, 5, 5, 5, 5, 5, 0), perRound(plan, 1), "the smaller replica sits the last round out");
        long examples = 0;
        for (int round = 0; round < plan.rounds(); round++) examples += plan.examplesIn(round);
        assertEquals(1950, examples, "every example once an epoch");
        assertEquals(5 * 32 * 2, plan.examplesIn(0));
        assertEquals(1000 - 30 * 32, plan.examplesIn(6));
    }

    @Test
    void aReplicaWithoutExamplesSitsOutEveryRoundAndNoDataStillMakesOneRound() {
        ReplicaPlan plan = new ReplicaPlan(8, 2, 1, new int[] {20, 0, 3});
        assertEquals(2, plan.rounds());
        assertEquals(List.of(0, 0), perRound(plan, 1));
        assertEquals(List.of(1, 0), perRound(plan, 2));
        assertEquals(1, new ReplicaPlan(8, 2, 1, new int[] {0, 0}).rounds());
    }

    private static List<Integer> perRound(ReplicaPlan plan, int replica) {
        return IntStream.range(0, plan.rounds()).map(r -> plan.batchesIn(r, replica)).boxed().toList();
    }

    @Test
    void theOrderIsAPermutationAndAFunctionOfSeedEpochAndReplica() {
        int[] a = ReplicaPlan.order(1000, 7, 2, 1);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(a, ReplicaPlan.order(1000, 7, 2, 1), "the same order again");
        assertFalse(Arrays.equals(a, ReplicaPlan.order(1000, 7, 3, 1)), "another epoch");
        assertFalse(Arrays.equals(a, ReplicaPlan.order(1000, 7, 2, 0)), "another replica");
        assertFalse(Arrays.equals(a, ReplicaPlan.order(1000, 8, 2, 1)), "another seed");
        long moved = IntStream.range(0, 1000).filter(i -> a[i] != i).count();
        assertTrue(moved > 950, "shuffled, not near the identity: " + moved + " of 1000 moved");
    }

    @Test
    void examplesAreDealtEvenlyByTheirIdentityAndTheSeed() {
        Random rng = new Random(3);
        int[] counts = new int[3];
        long[] identities = new long[30_000];
        for (int i = 0; i < identities.length; i++) {
            byte[] pixels = new byte[16];
            rng.nextBytes(pixels);
            identities[i] = ExampleIdentity.of(pixels, i % 10);
            counts[ReplicaPlan.replicaOf(identities[i], 42, 3)]++;
        }
        for (int c : counts) {
            // 10,000 expected each; 4 standard deviations is about 330.
            assertEquals(10_000, c, 330, Arrays.toString(counts));
        }
        int moved = 0;
        for (long id : identities) {
            assertEquals(ReplicaPlan.replicaOf(id, 42, 3), ReplicaPlan.replicaOf(id, 42, 3));
            if (ReplicaPlan.replicaOf(id, 42, 3) != ReplicaPlan.replicaOf(id, 43, 3)) moved++;
        }
        assertEquals(20_000, moved, 500, "another seed deals about two thirds of the examples elsewhere");
    }

    @Test
    void replicasDrawTheirRandomNumbersFromTheirOwnSeeds() {
        long s = ReplicaPlan.randomSeed(42, 1, 0, 0);
        assertEquals(s, ReplicaPlan.randomSeed(42, 1, 0, 0));
        assertNotEquals(s, ReplicaPlan.randomSeed(42, 1, 0, 1));
        assertNotEquals(s, ReplicaPlan.randomSeed(42, 1, 1, 0));
        assertNotEquals(s, ReplicaPlan.randomSeed(42, 2, 0, 0));
        assertNotEquals(s, ReplicaPlan.randomSeed(43, 1, 0, 0));
    }

    @Test
    void theAverageIsTakenInDoublePrecisionInTheReplicasOrder() {
        // Summed in float, 1e8 + 1 - 1e8 is 0 (1e8 + 1 rounds to 1e8); in double it is 1.
        float[] a = {1e8f, 1f};
        float[] b = {1f, 1f};
        float[] c = {-1e8f, 4f};
        float[] mean = AveragingRounds.mean(List.of(a, b, c));
        assertEquals((float) (1.0 / 3), mean[0]);
        assertEquals(2f, mean[1]);
        float[] one = {0.1f, -3.5f};
        assertArrayEquals(one, AveragingRounds.mean(List.of(one)), "one replica: its own values, bit for bit");
    }
}
