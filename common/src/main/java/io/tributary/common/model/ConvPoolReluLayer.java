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
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The network layer of {@link ConvPoolRelu}. Examples of a batch are split over ND4J's thread count
 * for this thread (what Tributary sets per Spark task), each part with its own scratch arrays and
 * weight-gradient sums, added together at the end.
 *
 * <p>The arithmetic is in {@link ConvPoolReluKernels}. The forward pass keeps the output and the pooling's choices for the backward pass. As the
 * network's first layer (index 0) it returns no gradient for its input, which is data.
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
    /** The forward pass kept for the backward pass: for which input, its output and the pooling's choices. */
    private transient INDArray keptFor;
    private transient float[] keptInput;
    private transient float[] keptOutput;
    private transient byte[] keptArg;

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
        out.data().setData(keptOutput);
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
        float[] eps = floats(epsilon, (long) batch * kn.outputSize(), "the gradient of the output");
        float[] weights = floats(getParam(ConvPoolReluParams.WEIGHTS), kn.weightSize(), "the weights");
        boolean inputGradient = getIndex() > 0;
        float[] dx = inputGradient ? new float[batch * kn.inputSize()] : null;
        int parts = parts(batch);
        float[][] dw = new float[parts][kn.weightGradientSize()];
        float[][] db = new float[parts][kn.k];
        inParts(batch, parts, (part, from, to) -> {
            float[] scratch = kn.newScratch();
            for (int n = from; n < to; n++) {
                kn.backward(keptInput, n * kn.inputSize(), weights, keptOutput, eps, n * kn.outputSize(), keptArg,
                        scratch, dw[part], db[part], dx, n * kn.inputSize());
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
        weightView.assign(Nd4j.createFromArray(weightGrad).reshape(weightView.shape()));
        biasView.assign(Nd4j.createFromArray(biasGrad).reshape(biasView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(ConvPoolReluParams.BIAS, biasView);
        gradient.gradientForVariable().put(ConvPoolReluParams.WEIGHTS, weightView);

        INDArray inputGrad = null;
        if (inputGradient) {
            inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                    input.shape(), 'c');
            inputGrad.data().setData(dx);
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
        float[] x = floats(input, (long) batch * kn.inputSize(), "the input");
        float[] prepared = kn.prepareWeights(floats(getParam(ConvPoolReluParams.WEIGHTS), kn.weightSize(),
                "the weights"));
        float[] bias = floats(getParam(ConvPoolReluParams.BIAS), kn.k, "the bias");
        float[] out = new float[batch * kn.outputSize()];
        byte[] arg = new byte[batch * kn.outputSize()];
        inParts(batch, parts(batch), (part, from, to) -> {
            float[] scratch = kn.newScratch();
            for (int n = from; n < to; n++) {
                kn.forward(x, n * kn.inputSize(), prepared, bias, scratch, out, n * kn.outputSize(), arg);
            }
        });
        keptFor = input;
        keptInput = x;
        keptOutput = out;
        keptArg = arg;
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
        keptInput = null;
        keptOutput = null;
        keptArg = null;
    }

    @Override
    public void clear() {
        super.clear();
        forget();
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

    /** The values of {@code array} in C order, as floats. */
    private static float[] floats(INDArray array, long expected, String what) {
        if (array.length() != expected) {
            throw new IllegalArgumentException("ConvPoolRelu: " + what + " has " + array.length()
                    + " values, expected " + expected + " (shape " + Arrays.toString(array.shape()) + ")");
        }
        INDArray c = array;
        if (c.dataType() != DataType.FLOAT) {
            c = c.castTo(DataType.FLOAT);
        }
        if (c.isView() || c.ordering() != 'c' || !Shape.hasDefaultStridesForShape(c)
                || c.data().length() != c.length()) {
            c = c.dup('c');
        }
        return c.data().asFloat();
    }
}
