package io.tributary.common.model;

import java.util.Arrays;

/**
 * {@link ConvPoolReluKernels} in plain Java, for JVMs without the vector API. The weights are kept
 * transposed as {@code [c][kh][kw][k]} and the convolution's output as {@code [zh][zw][k]}, so that the
 * innermost loops run over the filters. Zero input pixels are skipped: they add nothing to an
 * output or a weight's gradient, and MNIST-like images are about half background.
 */
final class ScalarConvPoolRelu extends ConvPoolReluKernels {

    ScalarConvPoolRelu(int channels, int height, int width, int filters, int kernel, int pool) {
        super(channels, height, width, filters, kernel, pool);
    }

    @Override
    int scratchSize() {
        return zh * zw * k;
    }

    @Override
    float[] prepareWeights(float[] weights) {
        float[] wt = new float[weightSize()];
        int perFilter = c * kernel * kernel;
        for (int co = 0; co < k; co++) {
            for (int j = 0; j < perFilter; j++) {
                wt[j * k + co] = weights[co * perFilter + j];
            }
        }
        return wt;
    }

    @Override
    void addWeightGradient(float[] sum, float[] into) {
        int perFilter = c * kernel * kernel;
        for (int co = 0; co < k; co++) {
            for (int j = 0; j < perFilter; j++) {
                into[co * perFilter + j] += sum[j * k + co];
            }
        }
    }

    @Override
    void forward(float[] x, int xOff, float[] wt, float[] bias, float[] z, float[] out, int outOff, float[] choices,
                 int choiceOff) {
        for (int oy = 0; oy < zh; oy++) {
            for (int ox = 0; ox < zw; ox++) {
                int zb = (oy * zw + ox) * k;
                System.arraycopy(bias, 0, z, zb, k);
                for (int ci = 0; ci < c; ci++) {
                    for (int ky = 0; ky < kernel; ky++) {
                        int row = xOff + (ci * h + oy + ky) * w + ox;
                        int wRow = (ci * kernel + ky) * kernel * k;
                        for (int kx = 0; kx < kernel; kx++) {
                            float v = x[row + kx];
                            if (v == 0f) {
                                continue;
                            }
                            int wb = wRow + kx * k;
                            for (int co = 0; co < k; co++) {
                                z[zb + co] += v * wt[wb + co];
                            }
                        }
                    }
                }
            }
        }
        poolAndRectify(z, 1, zw * k, k, out, outOff, choices, choiceOff);
    }

    @Override
    void backward(float[] x, int xOff, float[] weights, float[] out, float[] eps, int outOff, float[] choices,
                  int choiceOff, float[] dz, float[] dwt, float[] db, float[] dx, int dxOff) {
        Arrays.fill(dz, 0f);
        if (dx != null) {
            Arrays.fill(dx, dxOff, dxOff + inputSize(), 0f);
        }
        int plane = ph * pw;
        for (int co = 0; co < k; co++) {
            float biasGrad = 0f;
            for (int py = 0; py < ph; py++) {
                for (int px = 0; px < pw; px++) {
                    int o = outOff + co * plane + py * pw + px;
                    if (out[o] <= 0f) {
                        continue;
                    }
                    float g = eps[o];
                    int at = choice(choices, choiceOff, co, py, px);
                    int oy = py * pool + at / pool;
                    int ox = px * pool + at % pool;
                    dz[(oy * zw + ox) * k + co] = g;
                    biasGrad += g;
                    if (dx != null) {
                        addInputGradient(weights, co, oy, ox, g, dx, dxOff);
                    }
                }
            }
            db[co] += biasGrad;
        }
        for (int oy = 0; oy < zh; oy++) {
            for (int ox = 0; ox < zw; ox++) {
                int zb = (oy * zw + ox) * k;
                for (int ci = 0; ci < c; ci++) {
                    for (int ky = 0; ky < kernel; ky++) {
                        int row = xOff + (ci * h + oy + ky) * w + ox;
                        int wRow = (ci * kernel + ky) * kernel * k;
                        for (int kx = 0; kx < kernel; kx++) {
                            float v = x[row + kx];
                            if (v == 0f) {
                                continue;
                            }
                            int wb = wRow + kx * k;
                            for (int co = 0; co < k; co++) {
                                dwt[wb + co] += v * dz[zb + co];
                            }
                        }
                    }
                }
            }
        }
    }
}
