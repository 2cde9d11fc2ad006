package io.tributary.common.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link ConvPoolReluKernels} with the JDK's vector API (incubating in Java 17; the JVM needs
 * {@code --add-modules=jdk.incubator.vector}). The convolution's output is kept per filter over whole
 * input rows, {@code [k][zh][w]} (the last {@code w - zw} columns of each row are computed and never
 * read), so that one filter's outputs are a single run of positions {@code i}, each the sum over
 * taps of {@code weight(tap) * x[i + offset(tap)]}: vector loads at the input's own stride, one
 * fused multiply-add per tap. The weight gradient is, per filter and tap, the dot product of the
 * output gradient with the input shifted by the tap's offset, in the same way.
 */
final class VectorConvPoolRelu extends ConvPoolReluKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Positions computed per filter: rows 0..zh-1 of w columns, the last row only up to zw. */
    private final int positions;
    /** Offset in the convolution's output of each element of a pooling window, from its first. */
    private final int[] windowOffsets;
    /** Offset in the input of each tap (ci, ky, kx), in DL4J's weight order within a filter. */
    private final int[] tapOffsets;

    VectorConvPoolRelu(int channels, int height, int width, int filters, int kernel, int pool) {
        super(channels, height, width, filters, kernel, pool);
        this.positions = (zh - 1) * w + zw;
        this.windowOffsets = new int[pool * pool];
        for (int at = 0; at < windowOffsets.length; at++) {
            windowOffsets[at] = at / pool * w + at % pool;
        }
        this.tapOffsets = new int[c * kernel * kernel];
        for (int ci = 0, t = 0; ci < c; ci++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    tapOffsets[t++] = (ci * h + ky) * w + kx;
                }
            }
        }
    }

    @Override
    int scratchSize() {
        return k * zh * w;
    }

    @Override
    float[] prepareWeights(float[] weights) {
        return weights;
    }

    @Override
    void addWeightGradient(float[] sum, float[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] += sum[i];
        }
    }

    @Override
    void forward(float[] x, int xOff, float[] weights, float[] bias, float[] z, float[] out, int outOff,
                 byte[] arg) {
        convolve(x, xOff, weights, bias, z);
        poolWindows(z, out, outOff, arg);
    }

    private void convolve(float[] x, int xOff, float[] weights, float[] bias, float[] z) {
        int taps = tapOffsets.length;
        int step = SPECIES.length();
        int blockEnd = positions - positions % (4 * step);
        int vectorEnd = positions - positions % step;
        for (int co = 0; co < k; co++) {
            int zb = co * zh * w;
            int wb = co * taps;
            FloatVector start = FloatVector.broadcast(SPECIES, bias[co]);
            int i = 0;
            // Four runs of positions at once: four independent chains of multiply-adds, where one chain
            // would wait out each multiply-add's latency.
            for (; i < blockEnd; i += 4 * step) {
                FloatVector a0 = start;
                FloatVector a1 = start;
                FloatVector a2 = start;
                FloatVector a3 = start;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.broadcast(SPECIES, weights[wb + t]);
                    int at = xOff + tapOffsets[t] + i;
                    a0 = FloatVector.fromArray(SPECIES, x, at).fma(wt, a0);
                    a1 = FloatVector.fromArray(SPECIES, x, at + step).fma(wt, a1);
                    a2 = FloatVector.fromArray(SPECIES, x, at + 2 * step).fma(wt, a2);
                    a3 = FloatVector.fromArray(SPECIES, x, at + 3 * step).fma(wt, a3);
                }
                a0.intoArray(z, zb + i);
                a1.intoArray(z, zb + i + step);
                a2.intoArray(z, zb + i + 2 * step);
                a3.intoArray(z, zb + i + 3 * step);
            }
            for (; i < vectorEnd; i += step) {
                FloatVector acc = start;
                for (int t = 0; t < taps; t++) {
                    acc = FloatVector.fromArray(SPECIES, x, xOff + tapOffsets[t] + i)
                            .fma(FloatVector.broadcast(SPECIES, weights[wb + t]), acc);
                }
                acc.intoArray(z, zb + i);
            }
            for (; i < positions; i++) {
                float acc = bias[co];
                for (int t = 0; t < taps; t++) {
                    acc = Math.fma(x[xOff + tapOffsets[t] + i], weights[wb + t], acc);
                }
                z[zb + i] = acc;
            }
        }
    }

    private void poolWindows(float[] z, float[] out, int outOff, byte[] arg) {
        if (pool != 2) {
            poolAndRectify(z, zh * w, w, 1, out, outOff, arg);
            return;
        }
        // 2x2 windows without branches on the data (the maximum's position is random, so branches
        // would be mispredicted half the time): Math.max is one instruction, the int choices compile
        // to conditional moves. Ties go to the first element in row-major order, as in DL4J.
        int plane = ph * pw;
        for (int co = 0; co < k; co++) {
            int zb = co * zh * w;
            int ob = outOff + co * plane;
            for (int py = 0; py < ph; py++) {
                int r0 = zb + 2 * py * w;
                int r1 = r0 + w;
                int o = ob + py * pw;
                for (int px = 0; px < pw; px++) {
                    float a = z[r0 + 2 * px];
                    float b = z[r0 + 2 * px + 1];
                    float c = z[r1 + 2 * px];
                    float d = z[r1 + 2 * px + 1];
                    float top = Math.max(a, b);
                    float bottom = Math.max(c, d);
                    int topAt = b > a ? 1 : 0;
                    int bottomAt = d > c ? 3 : 2;
                    float best = Math.max(top, bottom);
                    arg[o + px] = (byte) (bottom > top ? bottomAt : topAt);
                    out[o + px] = Math.max(best, 0f);
                }
            }
        }
    }

    @Override
    void backward(float[] x, int xOff, float[] weights, float[] out, float[] eps, int outOff, byte[] arg,
                  float[] dz, float[] dw, float[] db, float[] dx, int dxOff) {
        Arrays.fill(dz, 0f);
        if (dx != null) {
            Arrays.fill(dx, dxOff, dxOff + inputSize(), 0f);
        }
        int plane = ph * pw;
        for (int co = 0; co < k; co++) {
            int zb = co * zh * w;
            float biasGrad = 0f;
            for (int py = 0; py < ph; py++) {
                for (int px = 0; px < pw; px++) {
                    int o = outOff + co * plane + py * pw + px;
                    // Where the ReLU was inactive g is 0 and writes the 0 that is there: no branch on the data.
                    float g = out[o] > 0f ? eps[o] : 0f;
                    int at = arg[o];
                    dz[zb + py * pool * w + px * pool + windowOffsets[at]] = g;
                    biasGrad += g;
                    if (dx != null && g != 0f) {
                        addInputGradient(weights, co, py * pool + at / pool, px * pool + at % pool, g, dx, dxOff);
                    }
                }
            }
            db[co] += biasGrad;
            weightGradient(dz, zb, x, xOff, dw, co * tapOffsets.length);
        }
    }

    /**
     * Adds to {@code dw[wb + t]}, for every tap {@code t}, the dot product of the output gradient at
     * {@code dz[zb..]} with the input shifted by the tap's offset. Four taps at a time share each load of
     * the gradient and keep four independent chains of multiply-adds.
     */
    private void weightGradient(float[] dz, int zb, float[] x, int xOff, float[] dw, int wb) {
        int taps = tapOffsets.length;
        int step = SPECIES.length();
        int vectorEnd = positions - positions % step;
        int t = 0;
        for (; t + 4 <= taps; t += 4) {
            int o0 = xOff + tapOffsets[t];
            int o1 = xOff + tapOffsets[t + 1];
            int o2 = xOff + tapOffsets[t + 2];
            int o3 = xOff + tapOffsets[t + 3];
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int i = 0;
            for (; i < vectorEnd; i += step) {
                FloatVector g = FloatVector.fromArray(SPECIES, dz, zb + i);
                a0 = FloatVector.fromArray(SPECIES, x, o0 + i).fma(g, a0);
                a1 = FloatVector.fromArray(SPECIES, x, o1 + i).fma(g, a1);
                a2 = FloatVector.fromArray(SPECIES, x, o2 + i).fma(g, a2);
                a3 = FloatVector.fromArray(SPECIES, x, o3 + i).fma(g, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < positions; i++) {
                float g = dz[zb + i];
                s0 = Math.fma(g, x[o0 + i], s0);
                s1 = Math.fma(g, x[o1 + i], s1);
                s2 = Math.fma(g, x[o2 + i], s2);
                s3 = Math.fma(g, x[o3 + i], s3);
            }
            dw[wb + t] += s0;
            dw[wb + t + 1] += s1;
            dw[wb + t + 2] += s2;
            dw[wb + t + 3] += s3;
        }
        for (; t < taps; t++) {
            dw[wb + t] += dot(dz, zb, x, xOff + tapOffsets[t]);
        }
    }

    /** The dot product of {@code positions} values of {@code a} and {@code b} from the given offsets. */
    private float dot(float[] a, int aOff, float[] b, int bOff) {
        int step = SPECIES.length();
        int vectorEnd = positions - positions % step;
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < vectorEnd; i += step) {
            acc = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < positions; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }
}
