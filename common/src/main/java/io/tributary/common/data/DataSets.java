package io.tributary.common.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Converts raw MNIST-layout bytes into ND4J minibatches: NCHW float features in [0, 1] and one-hot labels. */
public final class DataSets {
    private DataSets() {
    }

    /**
     * Builds a minibatch from {@code n} images starting at example {@code from}.
     *
     * @param pixels row-major unsigned bytes, {@code rows * cols} per image
     * @param labels one unsigned byte per image
     */
    public static DataSet toDataSet(byte[] pixels, byte[] labels, int from, int n, int rows, int cols, int numClasses) {
        int px = rows * cols;
        float[] features = new float[n * px];
        int base = from * px;
        for (int i = 0; i < features.length; i++) {
            features[i] = (pixels[base + i] & 0xff) / 255f;
        }
        float[] oneHot = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            oneHot[i * numClasses + (labels[from + i] & 0xff)] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[] {n, 1, rows, cols}, DataType.FLOAT);
        INDArray l = Nd4j.create(oneHot, new long[] {n, numClasses}, DataType.FLOAT);
        return new DataSet(f, l);
    }
}
