package io.tributary.job.train;

import io.tributary.common.config.ScoringKeys;
import io.tributary.common.data.IdxData;
import io.tributary.common.data.RawBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Minibatches cut on the driver, for the single-process baseline of the benchmark (training and
 * evaluation read through {@link io.tributary.job.read.Batching} on executors), and the evaluation batch size.
 */
public final class Batches {
    /** Examples per DataSet in evaluation data: the scoring batch's default. */
    public static final int EVAL_BATCH = ScoringKeys.BATCH_SIZE.defaultValue();

    private Batches() {
    }

    /**
     * @param shuffleSeed seed of the example order, or {@code null} to keep the file order (evaluation)
     */
    public static List<RawBatch> of(IdxData data, int batchSize, Long shuffleSeed) {
        int n = data.count();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffleSeed != null) {
            Random rng = new Random(shuffleSeed);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        int px = data.rows() * data.cols();
        List<RawBatch> batches = new ArrayList<>((n + batchSize - 1) / batchSize);
        for (int start = 0, id = 0; start < n; start += batchSize, id++) {
            int count = Math.min(batchSize, n - start);
            byte[] pixels = new byte[count * px];
            int[] labels = new int[count];
            for (int k = 0; k < count; k++) {
                int src = order[start + k];
                System.arraycopy(data.pixels(), src * px, pixels, k * px, px);
                labels[k] = data.labels()[src] & 0xff;
            }
            batches.add(RawBatch.ofPixels(id, start, count, data.rows(), data.cols(), data.numClasses(), pixels, labels));
        }
        return batches;
    }
}
