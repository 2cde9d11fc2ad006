package io.tributary.job.bench;

import io.tributary.common.data.DataSets;
import io.tributary.common.data.IdxData;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The single-process baseline of deploy/bench/scoring.sh: a model.zip loaded by ModelStore (as
 * predict loads it) and run as this backend runs it fastest, an IDX split held in memory, and DL4J's
 * output() in batches, with every core to ND4J. Times output() (with building each batch's array)
 * alone; prints the median examples/s of the passes after a warm-up pass, and the first (cold) pass's.
 *
 * Arguments: MODEL_ZIP IDX_DIR SPLIT(train|test) BATCH PASSES
 */
public final class ScoreSingleProcess {
    private ScoreSingleProcess() {
    }

    public static void main(String[] args) {
        Network net = ModelStore.load(HadoopFs.resolve("model", args[0], new Configuration())).forBackend();
        IdxData data = new IdxDirectory(HadoopFs.resolve("data", args[1], new Configuration()))
                .read(args[2].equals("train") ? IdxDirectory.Split.TRAIN : IdxDirectory.Split.TEST);
        int batch = Integer.parseInt(args[3]);
        int passes = Integer.parseInt(args[4]);
        int size = data.rows() * data.cols();
        long cold = System.nanoTime();
        long checksum = pass(net, data, batch, size);   // warm-up: the JIT and ND4J's first calls
        double first = data.count() / ((System.nanoTime() - cold) / 1e9);
        double[] rates = new double[passes];
        for (int p = 0; p < passes; p++) {
            long start = System.nanoTime();
            checksum += pass(net, data, batch, size);
            rates[p] = data.count() / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        System.out.printf("single_process_examples_per_second=%.1f first_pass=%.1f passes=%s batch=%d examples=%d"
                + " threads=%d (%d)%n", rates[passes / 2], first,
                Arrays.toString(Arrays.stream(rates).map(Math::round).toArray()), batch, data.count(),
                Nd4j.getEnvironment().maxMasterThreads(), checksum);
    }

    /** Scores every example once; returns the sum of the predicted classes (so nothing is optimised away). */
    static long pass(Network net, IdxData data, int batch, int size) {
        long sum = 0;
        for (int from = 0; from < data.count(); from += batch) {
            int n = Math.min(batch, data.count() - from);
            float[] x = new float[n * size];
            for (int i = 0; i < n * size; i++) x[i] = (data.pixels()[from * size + i] & 0xff) / 255f;
            INDArray out = net.output(Nd4j.create(x, new long[] {n, 1, data.rows(), data.cols()}));
            for (float[] p : out.toFloatMatrix()) sum += DataSets.predictedClass(p);
        }
        return sum;
    }
}
