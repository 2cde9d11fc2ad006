package io.tributary.common.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The vector kernels compute what the scalar ones do (ModelZooTest checks the layer, with whichever
 * the JVM runs, against DL4J's own layers), and the test JVM, like every Tributary JVM, runs the vector ones.
 */
class ConvPoolReluKernelsTest {

    @Test
    void theTestJvmHasTheVectorApi() {
        assertTrue(ConvPoolReluKernels.VECTOR_API, "JVMs need --add-modules=jdk.incubator.vector");
        assertInstanceOf(VectorConvPoolRelu.class, ConvPoolReluKernels.create(1, 28, 28, 32, 3, 2));
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        check(1, 28, 28, 32, 3, 2);
        check(2, 13, 11, 5, 3, 2);
        check(3, 17, 20, 4, 5, 3);
        check(1, 40, 37, 3, 3, 2);    // rows wider than a vector of floats
        check(2, 9, 9, 2, 2, 1);      // no pooling
    }

    private static void check(int c, int h, int w, int k, int kernel, int pool) {
        ConvPoolReluKernels vector = new VectorConvPoolRelu(c, h, w, k, kernel, pool);
        ConvPoolReluKernels scalar = new ScalarConvPoolRelu(c, h, w, k, kernel, pool);
        Random random = new Random(c * 1000 + h);
        int batch = 3;
        float[] x = new float[batch * scalar.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() < 0.4f ? 0f : random.nextFloat();
        }
        float[] weights = new float[scalar.weightSize()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextGaussian() * 0.5f;
        }
        float[] bias = new float[k];
        for (int i = 0; i < k; i++) {
            bias[i] = (float) random.nextGaussian() * 0.1f;
        }
        float[] eps = new float[batch * scalar.outputSize()];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = (float) random.nextGaussian();
        }
        String shape = c + "x" + h + "x" + w + " k=" + k + " kernel " + kernel + " pool " + pool;
        Result s = run(scalar, x, weights, bias, eps, batch);
        Result v = run(vector, x, weights, bias, eps, batch);
        assertArrayEquals(s.arg, v.arg, "pooling choices, " + shape);
        assertArrayEquals(s.out, v.out, 1e-5f, "outputs, " + shape);
        assertArrayEquals(s.dw, v.dw, 1e-4f, "weight gradients, " + shape);
        assertArrayEquals(s.db, v.db, 1e-4f, "bias gradients, " + shape);
        assertArrayEquals(s.dx, v.dx, 1e-5f, "input gradients, " + shape);
        assertTrue(max(s.out) > 0 && max(s.dw) > 0 && max(s.dx) > 0, "non-trivial values, " + shape);
    }

    private record Result(float[] out, byte[] arg, float[] dw, float[] db, float[] dx) {
    }

    private static Result run(ConvPoolReluKernels kn, float[] x, float[] weights, float[] bias, float[] eps,
                              int batch) {
        float[] out = new float[batch * kn.outputSize()];
        float[] choices = new float[batch * kn.choiceSize()];
        float[] scratch = kn.newScratch();
        float[] prepared = kn.prepareWeights(weights);
        float[] sum = new float[kn.weightGradientSize()];
        float[] db = new float[kn.k];
        float[] dx = new float[x.length];
        // last example first: a store past an example's own part of out, choices or dx would land on an
        // example already done (as it can when the layer runs examples in parallel) and show here
        for (int n = batch - 1; n >= 0; n--) {
            kn.forward(x, n * kn.inputSize(), prepared, bias, scratch, out, n * kn.outputSize(), choices,
                    n * kn.choiceSize());
        }
        for (int n = batch - 1; n >= 0; n--) {
            kn.backward(x, n * kn.inputSize(), weights, out, eps, n * kn.outputSize(), choices, n * kn.choiceSize(),
                    scratch, sum, db, dx, n * kn.inputSize());
        }
        float[] dw = new float[kn.weightSize()];
        kn.addWeightGradient(sum, dw);
        // the choices in the output's layout, [n][k][ph][pw]
        byte[] arg = new byte[out.length];
        for (int n = 0, i = 0; n < batch; n++) {
            for (int co = 0; co < kn.k; co++) {
                for (int py = 0; py < kn.ph; py++) {
                    for (int px = 0; px < kn.pw; px++) {
                        arg[i++] = (byte) kn.choice(choices, n * kn.choiceSize(), co, py, px);
                    }
                }
            }
        }
        return new Result(out, arg, dw, db, dx);
    }

    private static float max(float[] values) {
        float m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
