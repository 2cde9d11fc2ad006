package io.tributary.job.train;

import java.util.Random;

/**
 * How one epoch's batches are visited: a seeded permutation of the batches, cut into segments of
 * whole averaging rounds. Each segment is one call to DL4J's fit, after which progress is reported.
 *
 * @param segmentOfBatch for each batch id, the segment it is trained in
 * @param segments       the number of segments
 */
public record EpochPlan(int[] segmentOfBatch, int segments) {
    /** At most this many progress steps per epoch. */
    static final int MAX_SEGMENTS = 20;

    /**
     * @param batchesPerRound batches trained between two averagings, over all workers
     */
    public static EpochPlan of(int numBatches, int batchesPerRound, long seed, int epoch) {
        int rounds = Math.max(1, (numBatches + batchesPerRound - 1) / batchesPerRound);
        int roundsPerSegment = (rounds + MAX_SEGMENTS - 1) / MAX_SEGMENTS;
        int batchesPerSegment = roundsPerSegment * batchesPerRound;
        int segments = (numBatches + batchesPerSegment - 1) / batchesPerSegment;
        int[] order = new int[numBatches];
        for (int i = 0; i < numBatches; i++) order[i] = i;
        Random rng = new Random(seed * 1_000_003L + epoch);
        for (int i = numBatches - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] segmentOf = new int[numBatches];
        for (int pos = 0; pos < numBatches; pos++) {
            segmentOf[order[pos]] = pos / batchesPerSegment;
        }
        return new EpochPlan(segmentOf, Math.max(1, segments));
    }

    /** The ids of the batches in segment {@code s}, in visiting order. */
    public java.util.List<Integer> batchesOf(int s) {
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int id = 0; id < segmentOfBatch.length; id++) {
            if (segmentOfBatch[id] == s) ids.add(id);
        }
        return ids;
    }
}
