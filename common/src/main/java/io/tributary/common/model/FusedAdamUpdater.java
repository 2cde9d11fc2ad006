package io.tributary.common.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link FusedAdam}'s update: ND4J's Adam op ({@code adam_updater}) in one vectorized pass over the
 * gradient and the two moments, in place, with the op's arithmetic (in float, with its bias correction
 * folded into the step size). Arrays this pass cannot read as contiguous host memory (another data type,
 * a strided view, a device buffer) go to ND4J's op, as DL4J's {@link AdamUpdater} sends them.
 */
final class FusedAdamUpdater extends AdamUpdater {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final FusedAdam config;

    FusedAdamUpdater(FusedAdam config) {
        super(config);
        this.config = config;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (!vectorPass(gradient)) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        INDArray m = getM();
        INDArray v = getV();
        float beta1 = (float) config.getBeta1();
        float beta2 = (float) config.getBeta2();
        float epsilon = (float) config.getEpsilon();
        float learningRate = (float) config.getLearningRate(iteration, epoch);
        // as the op: the step size with both bias corrections, in float, epsilon where that is not a number
        float beta1t = (float) Math.pow(beta1, iteration + 1);
        float beta2t = (float) Math.pow(beta2, iteration + 1);
        float step = learningRate * (float) Math.sqrt(1f - beta2t) / (1f - beta1t);
        if (Float.isNaN(step) || Float.isInfinite(step) || step == 0f) {
            step = epsilon;
        }
        update(hostFloats(gradient), offset(gradient), hostFloats(m), offset(m), hostFloats(v), offset(v),
                (int) gradient.length(), beta1, beta2, epsilon, step);
        // the buffers' views do not keep the arrays' memory: the arrays must live to here
        Reference.reachabilityFence(gradient);
        Reference.reachabilityFence(m);
        Reference.reachabilityFence(v);
    }

    /** Whether the update of {@code gradient} runs as the vector pass, not as ND4J's op. */
    boolean vectorPass(INDArray gradient) {
        INDArray m = getM();
        INDArray v = getV();
        return ConvPoolReluKernels.VECTOR_API && m != null && v != null && hostFloats(gradient) != null
                && hostFloats(m) != null && hostFloats(v) != null
                && gradient.length() == m.length() && m.length() == v.length();
    }

    private static void update(ByteBuffer g, int gAt, ByteBuffer m, int mAt, ByteBuffer v, int vAt, int n,
                               float beta1, float beta2, float epsilon, float step) {
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        FloatVector b1 = FloatVector.broadcast(SPECIES, beta1);
        FloatVector b2 = FloatVector.broadcast(SPECIES, beta2);
        FloatVector c1 = FloatVector.broadcast(SPECIES, oneMinusBeta1);
        FloatVector c2 = FloatVector.broadcast(SPECIES, oneMinusBeta2);
        FloatVector eps = FloatVector.broadcast(SPECIES, epsilon);
        FloatVector alpha = FloatVector.broadcast(SPECIES, step);
        int lanes = SPECIES.length();
        int vectorEnd = n - n % lanes;
        int i = 0;
        for (; i < vectorEnd; i += lanes) {
            int b = 4 * i;
            FloatVector gv = FloatVector.fromByteBuffer(SPECIES, g, gAt + b, ORDER);
            FloatVector mv = FloatVector.fromByteBuffer(SPECIES, m, mAt + b, ORDER).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromByteBuffer(SPECIES, v, vAt + b, ORDER).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoByteBuffer(m, mAt + b, ORDER);
            vv.intoByteBuffer(v, vAt + b, ORDER);
            mv.mul(alpha).div(vv.sqrt().add(eps)).intoByteBuffer(g, gAt + b, ORDER);
        }
        for (; i < n; i++) {
            int b = 4 * i;
            float gi = g.getFloat(gAt + b);
            float mi = beta1 * m.getFloat(mAt + b) + gi * oneMinusBeta1;
            float vi = beta2 * v.getFloat(vAt + b) + gi * gi * oneMinusBeta2;
            m.putFloat(mAt + b, mi);
            v.putFloat(vAt + b, vi);
            g.putFloat(gAt + b, mi * step / ((float) Math.sqrt(vi) + epsilon));
        }
    }

    /** The host memory under a contiguous FLOAT array, or null when it has none this pass can use. */
    private static ByteBuffer hostFloats(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.length() > Integer.MAX_VALUE / 4
                || (a.length() > 1 && a.elementWiseStride() != 1) || !Nd4j.getEnvironment().isCPU()) {
            return null;
        }
        ByteBuffer all = a.data().asNio();
        if (all == null || (a.offset() + a.length()) * 4 > all.capacity()) {
            return null;
        }
        return all.order(ORDER);
    }

    private static int offset(INDArray a) {
        return (int) (4 * a.offset());
    }
}
