package io.tributary.common.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The network layer of {@link ConvPoolRelu}; the arithmetic is in {@link ConvPoolReluKernels}. Examples
 * of a batch are split over ND4J's thread count for this thread (what Tributary sets per Spark task),
 * each part with its own scratch array and weight-gradient sums, added together at the end.
 *
 * <p>The forward pass keeps the output and the pooling's choices for the backward pass, in Java
 * arrays reused from batch to batch. As the network's first layer (index 0) it returns no gradient
 * for its input, which is data. Like any DL4J layer, an instance is used by one thread at a time.
 */
public class ConvPoolReluLayer extends BaseLayer<ConvPoolRelu> {
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
            pool -> {
                var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                thread.setDaemon(true);
                thread.setName("tributary-conv-" + thread.getPoolIndex());
                return thread;
            }, null, false);

    private transient ConvPoolReluKernels kernels;
    /** The input whose forward pass the buffers below hold, for the backward pass; null when none. */
    private transient INDArray keptFor;
    // Buffers reused from batch to batch (reallocated when the batch size changes): the input, the
    // output and the pooling's choices of the last forward pass, the output's gradient, the input's
    // gradient, and per part of the batch a scratch array and weight- and bias-gradient sums.
    private transient float[] inputs;
    private transient float[] outputs;
    private transient float[] choices;
    private transient float[] outputGrads;
    private transient float[] inputGrads;
    private transient float[][] scratch;
    private transient float[][] weightSums;
    private transient float[][] biasSums;

    public ConvPoolReluLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        int batch = forward();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[]{batch, kernels.k, kernels.ph, kernels.pw}, 'c');
        write(outputs, batch * kernels.outputSize(), out);
        if (!training) {
            forget();
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (keptFor != input) {
            forward();
        }
        ConvPoolReluKernels kn = kernels;
        int batch = (int) input.size(0);
        outputGrads = sized(outputGrads, batch * kn.outputSize());
        float[] eps = read(epsilon, outputGrads, "the gradient of the output");
        float[] weights = read(getParam(ConvPoolReluParams.WEIGHTS), new float[kn.weightSize()], "the weights");
        boolean inputGradient = getIndex() > 0;
        float[] dx = null;
        if (inputGradient) {
            inputGrads = sized(inputGrads, batch * kn.inputSize());
            dx = inputGrads;
        }
        int parts = parts(batch);
        float[][] dw = sums(weightSums, parts, kn.weightGradientSize());
        float[][] db = sums(biasSums, parts, kn.k);
        weightSums = dw;
        biasSums = db;
        float[] in = inputs;
        float[] out = outputs;
        float[] arg = choices;
        float[] dxAll = dx;
        float[][] work = scratch;
        inParts(batch, parts, (part, from, to) -> {
            for (int n = from; n < to; n++) {
                kn.backward(in, n * kn.inputSize(), weights, out, eps, n * kn.outputSize(), arg, n * kn.choiceSize(),
                        work[part], dw[part], db[part], dxAll, n * kn.inputSize());
            }
        });
        float[] weightGrad = new float[kn.weightSize()];
        float[] biasGrad = new float[kn.k];
        for (int p = 0; p < parts; p++) {
            kn.addWeightGradient(dw[p], weightGrad);
            for (int co = 0; co < kn.k; co++) {
                biasGrad[co] += db[p][co];
            }
        }
        INDArray weightView = gradientViews.get(ConvPoolReluParams.WEIGHTS);
        INDArray biasView = gradientViews.get(ConvPoolReluParams.BIAS);
        write(weightGrad, weightGrad.length, weightView);
        write(biasGrad, biasGrad.length, biasView);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(ConvPoolReluParams.BIAS, biasView);
        gradient.gradientForVariable().put(ConvPoolReluParams.WEIGHTS, weightView);

        INDArray inputGrad = null;
        if (inputGradient) {
            inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                    input.shape(), 'c');
            write(dx, batch * kn.inputSize(), inputGrad);
        }
        forget();
        return new Pair<>(gradient, inputGrad);
    }

    /** Runs the forward pass over {@link #input} into the kept arrays; returns the batch size. */
    private int forward() {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("ConvPoolRelu (layer " + getIndex() + ") takes [batch, channels,"
                    + " height, width] input, got shape " + Arrays.toString(input.shape()));
        }
        ConvPoolRelu c = layerConf();
        int batch = (int) input.size(0);
        int channels = (int) input.size(1);
        if (channels != c.getNIn()) {
            throw new IllegalArgumentException("ConvPoolRelu (layer " + getIndex() + ") expects " + c.getNIn()
                    + " input channels, got " + channels + " (input shape " + Arrays.toString(input.shape()) + ")");
        }
        if (kernels == null || kernels.h != input.size(2) || kernels.w != input.size(3)) {
            warnIfScalar();
            kernels = ConvPoolReluKernels.create(channels, (int) input.size(2), (int) input.size(3),
                    (int) c.getNOut(), c.getKernel(), c.getPool());
        }
        ConvPoolReluKernels kn = kernels;
        inputs = sized(inputs, batch * kn.inputSize());
        float[] x = read(input, inputs, "the input");
        float[] prepared = kn.prepareWeights(read(getParam(ConvPoolReluParams.WEIGHTS), new float[kn.weightSize()],
                "the weights"));
        float[] bias = read(getParam(ConvPoolReluParams.BIAS), new float[kn.k], "the bias");
        outputs = sized(outputs, batch * kn.outputSize());
        if (choices == null || choices.length != batch * kn.choiceSize()) {
            choices = new float[batch * kn.choiceSize()];
        }
        int parts = parts(batch);
        if (scratch == null || scratch.length != parts || scratch[0].length != kn.scratchSize()) {
            scratch = new float[parts][];
            for (int p = 0; p < parts; p++) {
                scratch[p] = kn.newScratch();
            }
        }
        float[] out = outputs;
        float[] arg = choices;
        float[][] work = scratch;
        inParts(batch, parts, (part, from, to) -> {
            for (int n = from; n < to; n++) {
                kn.forward(x, n * kn.inputSize(), prepared, bias, work[part], out, n * kn.outputSize(), arg,
                        n * kn.choiceSize());
            }
        });
        keptFor = input;
        return batch;
    }

    private static volatile boolean warned;

    private static void warnIfScalar() {
        if (!ConvPoolReluKernels.VECTOR_API && !warned) {
            warned = true;
            LoggerFactory.getLogger(ConvPoolReluLayer.class).warn("The JVM runs without the module jdk.incubator.vector:"
                    + " ConvPoolRelu uses its scalar kernels, several times slower. Start it with"
                    + " --add-modules=jdk.incubator.vector (deploy/conf/jvm-options.sh)");
        }
    }

    private void forget() {
        keptFor = null;
    }

    /**
     * Forgets the input, as DL4J asks of every layer after each minibatch it fits, but keeps the buffers:
     * dropping them here had every step allocate and zero them anew (about 6 MB at batch 128, most of the
     * run's allocation, in arrays large enough to bypass the JVM's thread-local allocation).
     */
    @Override
    public void clear() {
        super.clear();
        forget();
    }

    private static float[] sized(float[] buffer, int length) {
        return buffer != null && buffer.length == length ? buffer : new float[length];
    }

    /** {@code parts} zeroed arrays of {@code length}, reusing {@code previous} where it fits. */
    private static float[][] sums(float[][] previous, int parts, int length) {
        if (previous == null || previous.length != parts || previous[0].length != length) {
            return new float[parts][length];
        }
        for (float[] sum : previous) {
            Arrays.fill(sum, 0f);
        }
        return previous;
    }

    private static int parts(int batch) {
        return Math.max(1, Math.min(batch, Nd4j.getEnvironment().maxMasterThreads()));
    }

    private interface Part {
        void run(int part, int from, int to);
    }

    private static void inParts(int batch, int parts, Part work) {
        if (parts == 1) {
            work.run(0, 0, batch);
            return;
        }
        POOL.submit(() -> IntStream.range(0, parts).parallel().forEach(p ->
                work.run(p, (int) ((long) batch * p / parts), (int) ((long) batch * (p + 1) / parts)))).join();
    }

    /**
     * Reads the values of {@code array} in C order into {@code into}, which must be as long; returns it.
     * A contiguous float array, a view included, is read straight from its buffer; anything else is
     * first copied (off-heap memory that only the garbage collector frees).
     */
    private static float[] read(INDArray array, float[] into, String what) {
        if (array.length() != into.length) {
            throw new IllegalArgumentException("ConvPoolRelu: " + what + " has " + array.length()
                    + " values, expected " + into.length + " (shape " + Arrays.toString(array.shape()) + ")");
        }
        INDArray c = contiguous(array) ? array : array.castTo(DataType.FLOAT).dup('c');
        buffer(c).get(into);
        return into;
    }

    /** Copies the first {@code length} of {@code values} into {@code to} (contiguous, C order), in bulk. */
    private static void write(float[] values, int length, INDArray to) {
        if (!contiguous(to) || to.length() != length) {
            throw new IllegalStateException("ConvPoolRelu writes " + length + " floats into a contiguous array, got "
                    + to.dataType() + " " + Arrays.toString(to.shape()) + " " + Arrays.toString(to.stride()));
        }
        buffer(to).put(values, 0, length);
    }

    /** Whether {@code a} holds floats laid out contiguously in C order (strides of size-1 dimensions aside). */
    private static boolean contiguous(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The array's values as a float buffer positioned at its first; the buffer spans the whole allocation. */
    private static FloatBuffer buffer(INDArray a) {
        FloatBuffer all = a.data().asNioFloat();
        all.position(Math.toIntExact(a.offset()));
        return all;
    }
}
