package io.tributary.common.model;

/**
 * The arithmetic of {@link ConvPoolReluLayer} for one example at a time, on plain float arrays:
 * {@link VectorConvPoolRelu} with the JDK's vector API where the JVM has the
 * {@code jdk.incubator.vector} module, else {@link ScalarConvPoolRelu}.
 *
 * <p>Shared layouts: an input image is {@code [c][h][w]}; the layer's output and its gradient are
 * {@code [k][ph][pw]} (NCHW, as DL4J's own layers have them); weights are DL4J's {@code [k][c][kh][kw]}.
 * Each implementation lays out its own scratch arrays, prepared weights and the pooling's choices
 * (which element of each window was the maximum, {@link #choice}), {@link #choiceSize} per example.
 */
abstract class ConvPoolReluKernels {
    final int c;
    final int h;
    final int w;
    final int k;
    final int kernel;
    final int pool;
    /** Rows and columns of the pooled output. */
    final int ph;
    final int pw;
    /** Rows and columns of the convolution output that the pooling windows cover. */
    final int zh;
    final int zw;

    /** The vector implementation where the JVM runs with {@code --add-modules=jdk.incubator.vector}. */
    static ConvPoolReluKernels create(int channels, int height, int width, int filters, int kernel, int pool) {
        if (VECTOR_API) {
            return new VectorConvPoolRelu(channels, height, width, filters, kernel, pool);
        }
        return new ScalarConvPoolRelu(channels, height, width, filters, kernel, pool);
    }

    /** Whether the vector API's module is in this JVM's boot layer. */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    ConvPoolReluKernels(int channels, int height, int width, int filters, int kernel, int pool) {
        this.c = channels;
        this.h = height;
        this.w = width;
        this.k = filters;
        this.kernel = kernel;
        this.pool = pool;
        this.ph = (height - kernel + 1) / pool;
        this.pw = (width - kernel + 1) / pool;
        this.zh = ph * pool;
        this.zw = pw * pool;
    }

    int inputSize() {
        return c * h * w;
    }

    int outputSize() {
        return k * ph * pw;
    }

    int weightSize() {
        return k * c * kernel * kernel;
    }

    /** Length of one example's pooling choices in this implementation's layout. */
    int choiceSize() {
        return outputSize();
    }

    /**
     * Which element of pooling window (py, px) of filter co, in row-major order within the window, was its
     * maximum, from the choices that {@link #forward} wrote at {@code choiceOff}.
     */
    int choice(float[] choices, int choiceOff, int co, int py, int px) {
        return (int) choices[choiceOff + (co * ph + py) * pw + px];
    }

    /** Length of the scratch array one thread's {@link #forward} and {@link #backward} use. */
    abstract int scratchSize();

    /** A new scratch array for one thread's {@link #forward} and {@link #backward}. */
    final float[] newScratch() {
        return new float[scratchSize()];
    }

    /** The weights, {@code [k][c][kh][kw]}, in the layout {@link #forward} takes. */
    abstract float[] prepareWeights(float[] weights);

    /** Size of a weight-gradient sum in {@link #backward}'s layout. */
    int weightGradientSize() {
        return weightSize();
    }

    /** Adds a weight-gradient sum from {@link #backward} to {@code into}, in DL4J's {@code [k][c][kh][kw]}. */
    abstract void addWeightGradient(float[] sum, float[] into);

    /**
     * Convolution, bias, max-pooling and ReLU of one example: writes its output at {@code outOff} and
     * the pooling's choices at {@code choiceOff}.
     */
    abstract void forward(float[] x, int xOff, float[] prepared, float[] bias, float[] scratch, float[] out,
                          int outOff, float[] choices, int choiceOff);

    /**
     * Gradients of one example: adds to {@code dw} (a sum in this implementation's layout) and
     * {@code db}, and, when {@code dx} is not null, writes the input's gradient there.
     *
     * @param weights DL4J's {@code [k][c][kh][kw]}
     * @param out     the example's output from {@link #forward} (its sign is the ReLU's derivative)
     */
    abstract void backward(float[] x, int xOff, float[] weights, float[] out, float[] eps, int outOff,
                           float[] choices, int choiceOff, float[] scratch, float[] dw, float[] db, float[] dx,
                           int dxOff);

    /** Adds the input gradient of one pooled value {@code g} at convolution position (oy, ox), filter co. */
    final void addInputGradient(float[] weights, int co, int oy, int ox, float g, float[] dx, int dxOff) {
        int perFilter = c * kernel * kernel;
        for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < kernel; ky++) {
                int row = dxOff + (ci * h + oy + ky) * w + ox;
                int wb = co * perFilter + (ci * kernel + ky) * kernel;
                for (int kx = 0; kx < kernel; kx++) {
                    dx[row + kx] += weights[wb + kx] * g;
                }
            }
        }
    }

    /**
     * Max-pooling (any window size) and ReLU of a convolution output {@code z} in which filter
     * {@code co}, row {@code y}, column {@code x} is at {@code co * filterStride + y * rowStride + x * colStride}:
     * writes the output at {@code outOff} and the pooling's choices, in the output's layout, at
     * {@code choiceOff}. Ties go to the first element in row-major order, as in DL4J.
     */
    final void poolAndRectify(float[] z, int filterStride, int rowStride, int colStride, float[] out, int outOff,
                              float[] choices, int choiceOff) {
        int plane = ph * pw;
        for (int co = 0; co < k; co++) {
            for (int py = 0; py < ph; py++) {
                for (int px = 0; px < pw; px++) {
                    int first = co * filterStride + py * pool * rowStride + px * pool * colStride;
                    float best = z[first];
                    int at = 0;
                    for (int dy = 0; dy < pool; dy++) {
                        for (int dx = 0; dx < pool; dx++) {
                            float v = z[first + dy * rowStride + dx * colStride];
                            if (v > best) {
                                best = v;
                                at = dy * pool + dx;
                            }
                        }
                    }
                    int o = co * plane + py * pw + px;
                    choices[choiceOff + o] = at;
                    out[outOff + o] = best > 0f ? best : 0f;
                }
            }
        }
    }
}
