package io.tributary.common.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link ConvPoolReluKernels} with the JDK's vector API (incubating in Java 17; the JVM needs
 * {@code --add-modules=jdk.incubator.vector}), laid out so that every loop runs over contiguous memory.
 *
 * <p>Each input channel is split by the parity of its rows and columns (for a pooling window of
 * {@code p}, by their remainders mod {@code p}) into {@code p * p} planes of {@code hp x wp}. The
 * convolution is then computed per <em>phase</em>, the position {@code (dy, dx)} within the pooling
 * windows: phase {@code (dy, dx)} at pooled position {@code q = py * wp + px} is convolution output
 * {@code (p * py + dy, p * px + dx)}, and each of its taps reads one plane at a fixed offset from
 * {@code q}. So a filter's phases are {@code p * p} runs of positions, each the sum over taps of
 * {@code weight(tap) * plane[q + offset(phase, tap)]}: one vector load and one fused multiply-add per tap.
 * Pooling is then the element-wise maximum of the phases, and the weight gradient, per phase and tap, the
 * dot product of the output gradient, where that phase was the maximum, with the plane at the tap's
 * offset. A filter's runs are {@code stride} long, {@code ph} rows of {@code wp} rounded up to whole
 * vectors; the columns from {@code pw} to {@code wp} and the rounding are computed and never read.
 */
final class VectorConvPoolRelu extends ConvPoolReluKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /** Rows and columns of an input plane. */
    private final int hp;
    private final int wp;
    /** Length of a filter's run of positions (one phase's, one pooled output's, one choice row's). */
    private final int stride;
    private final int phases;
    /** Offset in the split input of each tap (ci, ky, kx) of each phase: {@code [phase][tap]}. */
    private final int[][] tapOffsets;
    /** Length of the split input, with room for the last vectors' reads. */
    private final int splitSize;
    /** Four vectors of partial sums per thread, for the weight gradient. */
    private final ThreadLocal<float[]> sums = ThreadLocal.withInitial(() -> new float[4 * LANES]);

    VectorConvPoolRelu(int channels, int height, int width, int filters, int kernel, int pool) {
        super(channels, height, width, filters, kernel, pool);
        this.hp = (height + pool - 1) / pool;
        this.wp = (width + pool - 1) / pool;
        this.stride = (ph * wp + LANES - 1) / LANES * LANES;
        this.phases = pool * pool;
        int taps = channels * kernel * kernel;
        this.tapOffsets = new int[phases][taps];
        int furthest = 0;
        for (int phase = 0; phase < phases; phase++) {
            int dy = phase / pool;
            int dx = phase % pool;
            for (int ci = 0, t = 0; ci < channels; ci++) {
                for (int ky = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++) {
                        int plane = (ci * pool + (dy + ky) % pool) * pool + (dx + kx) % pool;
                        tapOffsets[phase][t] = plane * hp * wp + (dy + ky) / pool * wp + (dx + kx) / pool;
                        furthest = Math.max(furthest, tapOffsets[phase][t] + stride);
                        t++;
                    }
                }
            }
        }
        this.splitSize = Math.max(channels * phases * hp * wp, furthest);
    }

    /**
     * Scratch: the split input, then the phases' convolution outputs {@code [k][phase][stride]} and one
     * run (forward), or one filter's output gradient and its phases' (backward).
     */
    @Override
    int scratchSize() {
        return splitSize + Math.max(k * phases * stride + stride, (1 + phases) * stride);
    }

    @Override
    int choiceSize() {
        return k * stride;
    }

    @Override
    int choice(float[] choices, int choiceOff, int co, int py, int px) {
        return (int) choices[choiceOff + co * stride + py * wp + px];
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
    void forward(float[] x, int xOff, float[] weights, float[] bias, float[] scratch, float[] out, int outOff,
                 float[] choices, int choiceOff) {
        split(x, xOff, scratch);
        convolve(scratch, weights, bias, scratch, splitSize);
        pool(scratch, splitSize, out, outOff, choices, choiceOff, scratch, splitSize + k * phases * stride);
    }

    /** The input's channels as planes by row and column remainder, {@code [c][dy][dx][hp][wp]}, at the scratch's start. */
    private void split(float[] x, int xOff, float[] into) {
        int planeSize = hp * wp;
        for (int ci = 0; ci < c; ci++) {
            for (int y = 0; y < h; y++) {
                int from = xOff + (ci * h + y) * w;
                int rowBase = (ci * pool + y % pool) * pool * planeSize + y / pool * wp;
                for (int rx = 0; rx < pool; rx++) {
                    int to = rowBase + rx * planeSize;
                    for (int xi = rx, j = 0; xi < w; xi += pool, j++) {
                        into[to + j] = x[from + xi];
                    }
                }
            }
        }
    }

    private void convolve(float[] xs, float[] weights, float[] bias, float[] z, int zOff) {
        int taps = c * kernel * kernel;
        int blockEnd = stride - stride % (4 * LANES);
        for (int co = 0; co < k; co++) {
            int wb = co * taps;
            FloatVector start = FloatVector.broadcast(SPECIES, bias[co]);
            for (int phase = 0; phase < phases; phase++) {
                int[] offsets = tapOffsets[phase];
                int zb = zOff + (co * phases + phase) * stride;
                int q = 0;
                // four runs of positions at once: four independent chains of multiply-adds, where one chain
                // would wait out each multiply-add's latency
                for (; q < blockEnd; q += 4 * LANES) {
                    FloatVector a0 = start;
                    FloatVector a1 = start;
                    FloatVector a2 = start;
                    FloatVector a3 = start;
                    for (int t = 0; t < taps; t++) {
                        FloatVector wt = FloatVector.broadcast(SPECIES, weights[wb + t]);
                        int at = offsets[t] + q;
                        a0 = FloatVector.fromArray(SPECIES, xs, at).fma(wt, a0);
                        a1 = FloatVector.fromArray(SPECIES, xs, at + LANES).fma(wt, a1);
                        a2 = FloatVector.fromArray(SPECIES, xs, at + 2 * LANES).fma(wt, a2);
                        a3 = FloatVector.fromArray(SPECIES, xs, at + 3 * LANES).fma(wt, a3);
                    }
                    a0.intoArray(z, zb + q);
                    a1.intoArray(z, zb + q + LANES);
                    a2.intoArray(z, zb + q + 2 * LANES);
                    a3.intoArray(z, zb + q + 3 * LANES);
                }
                for (; q < stride; q += LANES) {
                    FloatVector acc = start;
                    for (int t = 0; t < taps; t++) {
                        acc = FloatVector.fromArray(SPECIES, xs, offsets[t] + q)
                                .fma(FloatVector.broadcast(SPECIES, weights[wb + t]), acc);
                    }
                    acc.intoArray(z, zb + q);
                }
            }
        }
    }

    /**
     * Max-pooling and ReLU: the maximum over the phases, the first in row-major order on ties (as in
     * DL4J), chosen by lane masks without branches on the data. Writes each filter's run to {@code run},
     * then its {@code pw} columns per row to the output.
     */
    private void pool(float[] z, int zOff, float[] out, int outOff, float[] choices, int choiceOff,
                      float[] run, int runOff) {
        int plane = ph * pw;
        for (int co = 0; co < k; co++) {
            int zb = zOff + co * phases * stride;
            int cb = choiceOff + co * stride;
            for (int q = 0; q < stride; q += LANES) {
                FloatVector best = FloatVector.fromArray(SPECIES, z, zb + q);
                FloatVector at = FloatVector.zero(SPECIES);
                for (int phase = 1; phase < phases; phase++) {
                    FloatVector v = FloatVector.fromArray(SPECIES, z, zb + phase * stride + q);
                    VectorMask<Float> higher = v.compare(VectorOperators.GT, best);
                    best = best.blend(v, higher);
                    at = at.blend(FloatVector.broadcast(SPECIES, (float) phase), higher);
                }
                best.max(FloatVector.zero(SPECIES)).intoArray(run, runOff + q);
                at.intoArray(choices, cb + q);
            }
            for (int py = 0; py < ph; py++) {
                System.arraycopy(run, runOff + py * wp, out, outOff + co * plane + py * pw, pw);
            }
        }
    }

    @Override
    void backward(float[] x, int xOff, float[] weights, float[] out, float[] eps, int outOff, float[] choices,
                  int choiceOff, float[] scratch, float[] dw, float[] db, float[] dx, int dxOff) {
        // the split input of this example (the scratch's holds the last example's forward pass)
        split(x, xOff, scratch);
        if (dx != null) {
            Arrays.fill(dx, dxOff, dxOff + inputSize(), 0f);
        }
        int plane = ph * pw;
        int taps = c * kernel * kernel;
        // after the split input: one filter's output gradient where the ReLU was active, [ph][wp] in a run,
        // then the same for each phase where that phase was the maximum, 0 elsewhere
        int gOff = splitSize;
        int phaseOff = gOff + stride;
        float[] sums = this.sums.get();
        for (int co = 0; co < k; co++) {
            int cb = choiceOff + co * stride;
            for (int py = 0; py < ph; py++) {
                activeGradient(out, eps, outOff + co * plane + py * pw, scratch, gOff + py * wp);
            }
            Arrays.fill(scratch, gOff + ph * wp, gOff + stride, 0f);   // what the last row's vectors wrote past it
            if (dx != null) {
                addInputGradients(scratch, gOff, choices, cb, weights, co, dx, dxOff);
            }
            FloatVector biasGrad = FloatVector.zero(SPECIES);
            for (int q = 0; q < stride; q += LANES) {
                FloatVector g = FloatVector.fromArray(SPECIES, scratch, gOff + q);
                biasGrad = biasGrad.add(g);
                FloatVector chosen = FloatVector.fromArray(SPECIES, choices, cb + q);
                for (int phase = 0; phase < phases; phase++) {
                    VectorMask<Float> here = chosen.compare(VectorOperators.EQ, FloatVector.broadcast(SPECIES, (float) phase));
                    FloatVector.zero(SPECIES).blend(g, here).intoArray(scratch, phaseOff + phase * stride + q);
                }
            }
            db[co] += biasGrad.reduceLanes(VectorOperators.ADD);
            weightGradient(scratch, phaseOff, scratch, sums, dw, co * taps);
        }
    }

    /**
     * One row of the output gradient where the ReLU was active ({@code eps} where {@code out > 0}, else 0)
     * from {@code at} to the row of a run at {@code to}, its columns from {@code pw} to {@code wp} left 0.
     * Whole vectors run past the row's end: they read the next row, which is not used, or stop before the
     * array's end, where the row's rest goes one value at a time; they write into the run's next row (written
     * after) or past its last (cleared after), at most a vector before the phases' runs (written after).
     */
    private void activeGradient(float[] out, float[] eps, int at, float[] g, int to) {
        int px = 0;
        for (; px < pw && at + px + LANES <= out.length; px += LANES) {
            FloatVector e = FloatVector.fromArray(SPECIES, eps, at + px);
            VectorMask<Float> active = FloatVector.fromArray(SPECIES, out, at + px)
                    .compare(VectorOperators.GT, FloatVector.zero(SPECIES));
            FloatVector.zero(SPECIES).blend(e, active).intoArray(g, to + px);
        }
        for (; px < pw; px++) {
            g[to + px] = out[at + px] > 0f ? eps[at + px] : 0f;
        }
        for (int j = pw; j < wp; j++) {
            g[to + j] = 0f;
        }
    }

    private void addInputGradients(float[] g, int gOff, float[] choices, int cb, float[] weights, int co,
                                   float[] dx, int dxOff) {
        for (int py = 0; py < ph; py++) {
            for (int px = 0; px < pw; px++) {
                float v = g[gOff + py * wp + px];
                if (v != 0f) {
                    int at = (int) choices[cb + py * wp + px];
                    addInputGradient(weights, co, py * pool + at / pool, px * pool + at % pool, v, dx, dxOff);
                }
            }
        }
    }

    /**
     * Adds to {@code dw[wb + t]}, for every tap {@code t}, the sum over phases of the dot product of the
     * phase's output gradient (runs from {@code gOff}) with the split input at the phase's offset for the tap.
     * Four taps at a time share each load of the gradient and keep four independent chains of multiply-adds,
     * carried from phase to phase in {@code sums} (four vectors; the JIT keeps vectors in registers within a
     * loop, not across an outer one) and added up once per tap.
     */
    private void weightGradient(float[] g, int gOff, float[] xs, float[] sums, float[] dw, int wb) {
        int taps = c * kernel * kernel;
        int t = 0;
        for (; t + 4 <= taps; t += 4) {
            Arrays.fill(sums, 0, 4 * LANES, 0f);
            for (int phase = 0; phase < phases; phase++) {
                int[] offsets = tapOffsets[phase];
                phaseDots(g, gOff + phase * stride, xs, offsets[t], offsets[t + 1], offsets[t + 2], offsets[t + 3], sums);
            }
            for (int j = 0; j < 4; j++) {
                dw[wb + t + j] += FloatVector.fromArray(SPECIES, sums, j * LANES).reduceLanes(VectorOperators.ADD);
            }
        }
        for (; t < taps; t++) {   // the last one to three taps, one at a time
            Arrays.fill(sums, 0, LANES, 0f);
            for (int phase = 0; phase < phases; phase++) {
                phaseDot(g, gOff + phase * stride, xs, tapOffsets[phase][t], sums);
            }
            dw[wb + t] += FloatVector.fromArray(SPECIES, sums, 0).reduceLanes(VectorOperators.ADD);
        }
    }

    /** Adds to the first vector in {@code sums} the products of one phase's gradient with the input at one offset. */
    private void phaseDot(float[] g, int gb, float[] xs, int o, float[] sums) {
        FloatVector a = FloatVector.fromArray(SPECIES, sums, 0);
        for (int q = 0; q < stride; q += LANES) {
            a = FloatVector.fromArray(SPECIES, xs, o + q).fma(FloatVector.fromArray(SPECIES, g, gb + q), a);
        }
        a.intoArray(sums, 0);
    }

    /** Adds to the four vectors in {@code sums} the products of one phase's gradient with the input at four offsets. */
    private void phaseDots(float[] g, int gb, float[] xs, int o0, int o1, int o2, int o3, float[] sums) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, sums, 0);
        FloatVector a1 = FloatVector.fromArray(SPECIES, sums, LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, sums, 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, sums, 3 * LANES);
        for (int q = 0; q < stride; q += LANES) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gb + q);
            a0 = FloatVector.fromArray(SPECIES, xs, o0 + q).fma(gv, a0);
            a1 = FloatVector.fromArray(SPECIES, xs, o1 + q).fma(gv, a1);
            a2 = FloatVector.fromArray(SPECIES, xs, o2 + q).fma(gv, a2);
            a3 = FloatVector.fromArray(SPECIES, xs, o3 + q).fma(gv, a3);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, LANES);
        a2.intoArray(sums, 2 * LANES);
        a3.intoArray(sums, 3 * LANES);
    }
}
