package io.tributary.job.bench;

import io.tributary.job.spark.Nd4jThreads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The practical arithmetic ceiling of this machine: ND4J's float matrix multiply rate. */
public final class MachineCeiling {
    private MachineCeiling() {
    }

    /** GFLOP/s of a 2048x2048 float GEMM with {@code threads} threads, best of a few runs. */
    public static double gemmGflops(int threads) {
        Nd4jThreads.ensure(threads);
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double s = (System.nanoTime() - t) / 1e9;
            best = Math.max(best, 2.0 * n * n * n / s / 1e9);
        }
        return best;
    }

    /**
     * Training FLOPs per example of the reference CNN on {@code rows x cols} images: the forward
     * pass (convolution and dense layers as multiply-adds) times three (forward, and the two
     * products of the backward pass).
     */
    public static double seedCnnTrainingFlops(int rows, int cols, int classes) {
        long convOut = (long) (rows - 2) * (cols - 2) * 32;
        double conv = 2.0 * convOut * 9;
        long pooled = (long) ((rows - 2) / 2) * ((cols - 2) / 2) * 32;
        double dense = 2.0 * pooled * 128 + 2.0 * 128 * classes;
        return 3 * (conv + dense);
    }
}
