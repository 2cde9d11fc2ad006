package io.tributary.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How one epoch's batches are visited: a seeded permutation of the batches, cut into steps. A step
 * is one call to DL4J's {@code fit}, after which progress is reported and a checkpoint may be
 * written; it holds a whole number of the training master's units (see
 * {@link TrainingMasters#batchesPerUnit}), and an epoch has at most {@value #MAX_STEPS} steps.
 *
 * @param stepOfBatch for each batch id, the step it is trained in
 * @param steps       the number of steps
 */
public record EpochPlan(int[] stepOfBatch, int steps) {
    /** At most this many steps per epoch. */
    static final int MAX_STEPS = 20;

    /**
     * @param batchesPerUnit batches of the training master's unit of work, over all workers (steps
     *                       are whole units)
     */
    public static EpochPlan of(int numBatches, int batchesPerUnit, long seed, int epoch) {
        int units = Math.max(1, (numBatches + batchesPerUnit - 1) / batchesPerUnit);
        int unitsPerStep = (units + MAX_STEPS - 1) / MAX_STEPS;
        int batchesPerStep = unitsPerStep * batchesPerUnit;
        int steps = (numBatches + batchesPerStep - 1) / batchesPerStep;
        int[] order = new int[numBatches];
        for (int i = 0; i < numBatches; i++) order[i] = i;
        Random rng = new Random(seed * 1_000_003L + epoch);
        for (int i = numBatches - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] stepOf = new int[numBatches];
        for (int pos = 0; pos < numBatches; pos++) {
            stepOf[order[pos]] = pos / batchesPerStep;
        }
        return new EpochPlan(stepOf, Math.max(1, steps));
    }

    /** The ids of the batches in step {@code s}, in visiting order. */
    public List<Integer> batchesOf(int s) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < stepOfBatch.length; id++) {
            if (stepOfBatch[id] == s) ids.add(id);
        }
        return ids;
    }
}
