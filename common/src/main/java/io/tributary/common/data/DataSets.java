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

    /** A batch as an ND4J minibatch: NCHW float features (times the batch's scale) and one-hot labels. */
    public static DataSet toDataSet(RawBatch b) {
        int n = b.count();
        int values = n * b.valuesPerExample();
        float[] features = new float[values];
        float scale = b.scale();
        if (b.bytes() != null) {
            byte[] bytes = b.bytes();
            for (int i = 0; i < values; i++) {
                features[i] = (bytes[i] & 0xff) * scale;
            }
        } else {
            float[] floats = b.floats();
            for (int i = 0; i < values; i++) {
                features[i] = floats[i] * scale;
            }
        }
        int classes = b.numClasses();
        float[] oneHot = new float[n * classes];
        int[] labels = b.labels();
        for (int i = 0; i < n; i++) {
            oneHot[i * classes + labels[i]] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[] {n, b.channels(), b.rows(), b.cols()}, DataType.FLOAT);
        INDArray l = Nd4j.create(oneHot, new long[] {n, classes}, DataType.FLOAT);
        return new DataSet(f, l);
    }

    /**
     * The predicted class of one example's probabilities: the index of the largest, the lowest index
     * on a tie (how evaluation and scoring both decide, so their predictions agree).
     */
    public static int predictedClass(float[] probabilities) {
        int predicted = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[predicted]) predicted = c;
        }
        return predicted;
    }
}
