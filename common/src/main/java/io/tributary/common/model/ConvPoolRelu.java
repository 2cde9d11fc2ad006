package io.tributary.common.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * One layer for Conv2D (k x k, stride 1, no padding, bias) → ReLU → MaxPool (p x p, stride p),
 * computed in one pass per example in Java ({@link ConvPoolReluKernels}) instead of DL4J's
 * im2col/GEMM convolution, permutes, pooling and activation ops.
 *
 * <p>Its parameters are those of DL4J's {@code ConvolutionLayer} in the same order (bias, then
 * weights {@code [nOut, nIn, k, k]}), and its output is NCHW like DL4J's pooling layer, so a
 * network built with it has the same parameter vector, and computes the same function, as
 * {@code ConvolutionLayer(RELU)} followed by {@code SubsamplingLayer(MAX)}. Float32 only; input NCHW.
 */
public class ConvPoolRelu extends FeedForwardLayer {
    private int kernel;
    private int pool;
    /** The name of the pooling layer this layer replaces, given back to it in DL4J's standard form (null: none known). */
    private String poolName;
    /** The largest pooling window: its positions, 0 to {@code pool * pool - 1}, must fit a signed byte. */
    public static final int MAX_POOL = 11;

    /** For JSON deserialization of saved networks. */
    public ConvPoolRelu() {
    }

    private ConvPoolRelu(Builder builder) {
        super(builder);
        this.kernel = builder.kernel;
        this.pool = builder.pool;
        this.poolName = builder.poolName;
        validate();
    }

    /**
     * Checks the kernel and pool sizes: at construction, and again wherever a configuration read from
     * JSON (which bypasses the builder) is used.
     */
    private void validate() {
        if (kernel < 1) {
            throw new IllegalArgumentException("ConvPoolRelu kernel must be >= 1, found " + kernel);
        }
        if (pool < 1 || pool > MAX_POOL) {
            throw new IllegalArgumentException("ConvPoolRelu pool must be between 1 and " + MAX_POOL + ", found "
                    + pool + " (the kernels keep each window's maximum's position, up to pool x pool - 1, in a byte)");
        }
    }

    public int getKernel() {
        return kernel;
    }

    public int getPool() {
        return pool;
    }

    public String getPoolName() {
        return poolName;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf,
                                                        Collection<TrainingListener> listeners, int layerIndex,
                                                        INDArray layerParamsView, boolean initializeParams,
                                                        DataType networkDataType) {
        validate();
        if (networkDataType != DataType.FLOAT) {
            throw new IllegalArgumentException("ConvPoolRelu computes in FLOAT; the network's data type is "
                    + networkDataType);
        }
        if (getIDropout() != null || getWeightNoise() != null) {
            throw new IllegalArgumentException("ConvPoolRelu supports neither dropout nor weight noise");
        }
        ConvPoolReluLayer layer = new ConvPoolReluLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return ConvPoolReluParams.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        validate();
        InputType.InputTypeConvolutional in = convolutional(inputType);
        long rows = (in.getHeight() - kernel + 1) / pool;
        long cols = (in.getWidth() - kernel + 1) / pool;
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("ConvPoolRelu (layer " + layerIndex + "): input of "
                    + in.getHeight() + "x" + in.getWidth() + " is too small for a " + kernel + "x" + kernel
                    + " kernel and " + pool + "x" + pool + " pooling");
        }
        return InputType.convolutional(rows, cols, nOut, CNN2DFormat.NCHW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            nIn = convolutional(inputType).getChannels();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long params = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(params);
        long perExample = out.arrayElementsPerExample() * 2;
        return new LayerMemoryReport.Builder(getLayerName(), ConvPoolRelu.class, inputType, out)
                .standardMemory(params, updaterState)
                .workingMemory(0, perExample, 0, perExample)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvPoolRelu other && super.equals(o) && kernel == other.kernel && pool == other.pool
                && Objects.equals(poolName, other.poolName);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * super.hashCode() + kernel) + pool) + Objects.hashCode(poolName);
    }

    private static InputType.InputTypeConvolutional convolutional(InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional conv) {
            if (conv.getFormat() != CNN2DFormat.NCHW) {
                throw new IllegalArgumentException("ConvPoolRelu takes NCHW input, got " + conv.getFormat());
            }
            return conv;
        }
        if (inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            return (InputType.InputTypeConvolutional) InputType.convolutional(flat.getHeight(), flat.getWidth(),
                    flat.getDepth(), CNN2DFormat.NCHW);
        }
        throw new IllegalArgumentException("ConvPoolRelu takes image input, got " + inputType);
    }

    /** Builds the layer: {@code new ConvPoolRelu.Builder(3, 2).nOut(32).build()}. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private final int kernel;
        private final int pool;
        private String poolName;

        /** A {@code kernel x kernel} convolution (stride 1, no padding) and {@code pool x pool} max-pooling. */
        public Builder(int kernel, int pool) {
            this.kernel = kernel;
            this.pool = pool;
            activation(Activation.RELU);
        }

        /** The name of the pooling layer this layer replaces. */
        public Builder poolName(String name) {
            this.poolName = name;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ConvPoolRelu build() {
            return new ConvPoolRelu(this);
        }
    }
}
