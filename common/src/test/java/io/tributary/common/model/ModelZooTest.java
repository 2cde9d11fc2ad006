package io.tributary.common.model;

import io.tributary.common.config.ConfigException;
import io.tributary.common.config.InputShape;
import io.tributary.common.store.ModelStore;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reference CNN as built (its convolution, ReLU and pooling in one {@link ConvPoolRelu} layer)
 * is the brief's network computed by DL4J's own layers in the order written: same parameter
 * vector, same outputs, loss, gradients and Adam steps.
 */
class ModelZooTest {
    private static final int BATCH = 16;

    /** Conv2D 32 3x3 ReLU, MaxPool 2, Dense 128 ReLU, Dense 10 softmax, with DL4J's layers, in that order. */
    private static MultiLayerConfiguration asWritten(int rows, int cols) {
        return new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1).activation(Activation.RELU)
                        .dataFormat(CNN2DFormat.NCHW).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(rows, cols, 1, CNN2DFormat.NCHW))
                .build();
    }

    private static MultiLayerNetwork built(int rows, int cols) {
        MultiLayerNetwork net = new MultiLayerNetwork(FusedStack.forBackend(ModelZoo.build(ModelZoo.SEED_CNN,
                new InputShape(1, rows, cols), 10, 1e-3, 1)));
        net.init();
        return net;
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Images with a zero background, like MNIST's, so that the kernels' skipping of zeros is exercised. */
    private static INDArray images(int channels, int rows, int cols, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, channels, rows, cols).subi(0.3);
        return x.muli(x.gt(0).castTo(DataType.FLOAT));
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + " differ by " + diff + " (largest value " + scale + ")");
    }

    private static void assertSameFunctionAndGradients(MultiLayerNetwork written, MultiLayerNetwork built,
                                                       INDArray x) {
        assertEquals(written.numParams(), built.numParams());
        built.setParams(written.params().dup());
        INDArray y = labels();
        assertClose(written.output(x), built.output(x), 1e-5, "outputs");

        written.setInput(x);
        written.setLabels(y);
        written.computeGradientAndScore();
        built.setInput(x);
        built.setLabels(y);
        built.computeGradientAndScore();
        assertEquals(written.score(), built.score(), 1e-5);
        INDArray g1 = written.gradient().gradient();
        INDArray g2 = built.gradient().gradient();
        assertTrue(g1.amaxNumber().doubleValue() > 0, "a non-trivial gradient");
        assertClose(g1, g2, 1e-4, "gradients");
        long convParams = 32 + 32 * 9;
        INDArray convGrad = g1.get(NDArrayIndex.interval(0, convParams));
        assertTrue(convGrad.amaxNumber().doubleValue() > 0, "the convolution gets a gradient");
    }

    @Test
    void theBuiltNetworkComputesTheSameOutputsAndGradientsAsTheWrittenOrder() {
        assertSameFunctionAndGradients(init(asWritten(28, 28)), built(28, 28), images(1, 28, 28, 7));
    }

    @Test
    void theStandardFormWithDl4jsLayersIsTheSameNetwork() {
        MultiLayerNetwork standard = init(ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-3, 1));
        assertEquals(4, standard.getnLayers(), "DL4J's convolution (ReLU), pooling, dense and output layers");
        assertEquals(3, built(28, 28).getnLayers(), "fused: the convolution block is one layer");
        assertSameFunctionAndGradients(standard, built(28, 28), images(1, 28, 28, 13));
    }

    @Test
    void oddSizedImagesArePooledLikeDl4jTruncates() {
        // 27x25 -> convolution 25x23 -> pooled 12x11: the last row and column are not covered by a window.
        assertSameFunctionAndGradients(init(asWritten(27, 25)), built(27, 25), images(1, 27, 25, 8));
    }

    @Test
    void otherKernelAndPoolSizesMatchDl4j() {
        // A 5x5 kernel and 3x3 pooling on 2 channels (from a 1x1 convolution in front): the any-size
        // pooling path, against DL4J's own layers.
        assertMatchesDl4j(5, 3, 19, 17);
    }

    @Test
    void theLargestPoolingWindowMatchesDl4j() {
        // 11x11 windows: the pooling's choice (0..120) is the largest that its byte storage holds.
        assertEquals(11, ConvPoolRelu.MAX_POOL);
        assertMatchesDl4j(3, ConvPoolRelu.MAX_POOL, 25, 24);
    }

    @Test
    void anUnknownModelNameIsRefusedNamingTheKnownOnes() {
        assertEquals("Invalid value \"resnet\" for configuration model: must be one of seed-cnn, lenet5, mlp, vgg-small",
                assertThrows(ConfigException.class, () -> ModelZoo.build("resnet",
                        new InputShape(1, 28, 28), 10, 1e-3, 1)).getMessage());
    }

    @Test
    void aPoolingWindowItsStorageCannotHoldIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConvPoolRelu.Builder(3, ConvPoolRelu.MAX_POOL + 1).nOut(4).build());
        assertTrue(e.getMessage().contains("pool must be between 1 and 11, found 12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConvPoolRelu.Builder(3, 128).nOut(4).build());
        assertThrows(IllegalArgumentException.class, () -> new ConvPoolRelu.Builder(3, 0).nOut(4).build());
    }

    @Test
    void aPoolFromJsonIsCheckedWhenTheNetworkIsBuilt() {
        // JSON bypasses the builder: a configuration file with "pool" : 12 must not reach the kernels.
        String json = FusedStack.fuse(ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-3, 1)).toJson()
                .replaceFirst("\"pool\"\\s*:\\s*2\\b", "\"pool\" : 12");
        assertTrue(json.contains("\"pool\" : 12"), "the edit took");
        MultiLayerConfiguration edited = MultiLayerConfiguration.fromJson(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MultiLayerNetwork(edited).init());
        assertTrue(e.getMessage().contains("pool must be between 1 and 11, found 12"), e.getMessage());
    }

    /** A {@code kernel} convolution and {@code pool} pooling on 2 channels, fused and as DL4J's layers. */
    private static void assertMatchesDl4j(int kernel, int pool, int height, int width) {
        MultiLayerNetwork written = init(new NeuralNetConfiguration.Builder()
                .seed(5).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(kernel, kernel).nOut(6).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(pool, pool).stride(pool, pool).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(height, width, 1, CNN2DFormat.NCHW))
                .build());
        MultiLayerNetwork fused = init(new NeuralNetConfiguration.Builder()
                .seed(5).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvPoolRelu.Builder(kernel, pool).nOut(6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(height, width, 1, CNN2DFormat.NCHW))
                .build());
        assertEquals(written.numParams(), fused.numParams());
        fused.setParams(written.params().dup());
        INDArray x = images(1, height, width, 15);
        assertClose(written.output(x), fused.output(x), 1e-5, "outputs");
        written.setInput(x);
        written.setLabels(labels());
        written.computeGradientAndScore();
        fused.setInput(x);
        fused.setLabels(labels());
        fused.computeGradientAndScore();
        assertTrue(written.gradient().gradient().amaxNumber().doubleValue() > 0, "a non-trivial gradient");
        assertClose(written.gradient().gradient(), fused.gradient().gradient(), 1e-4, "gradients");
    }

    @Test
    void adamStepsStayTheSame() {
        MultiLayerNetwork written = init(asWritten(28, 28));
        MultiLayerNetwork built = built(28, 28);
        built.setParams(written.params().dup());
        for (int step = 0; step < 3; step++) {
            INDArray x = images(1, 28, 28, 100 + step);
            written.fit(x, labels());
            built.fit(x, labels());
        }
        assertClose(written.params(), built.params(), 1e-4, "parameters after 3 Adam steps");
    }

    @Test
    void asALaterLayerItPassesTheInputGradientBack() {
        // A 1x1 convolution in front makes ConvPoolRelu layer 1, with two input channels: the gradient
        // of that first layer's weights is computed from ConvPoolRelu's input gradient.
        MultiLayerConfiguration written = new NeuralNetConfiguration.Builder()
                .seed(3).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 1, CNN2DFormat.NCHW))
                .build();
        MultiLayerConfiguration fused = new NeuralNetConfiguration.Builder()
                .seed(3).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvPoolRelu.Builder(3, 2).nOut(32).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 1, CNN2DFormat.NCHW))
                .build();
        MultiLayerNetwork a = init(written);
        MultiLayerNetwork b = init(fused);
        b.setParams(a.params().dup());
        INDArray x = images(1, 12, 12, 9);
        a.setInput(x);
        a.setLabels(labels());
        a.computeGradientAndScore();
        b.setInput(x);
        b.setLabels(labels());
        b.computeGradientAndScore();
        INDArray first = a.gradient().gradientForVariable().get("0_W");
        assertTrue(first.amaxNumber().doubleValue() > 0, "the first layer gets a gradient");
        assertClose(first, b.gradient().gradientForVariable().get("0_W"), 1e-4, "first layer's weight gradients");
        assertClose(a.gradient().gradient(), b.gradient().gradient(), 1e-4, "gradients");
    }

    @Test
    void aSavedNetworkIsWrittenInDl4jsLayersAndFusesBackToTheSameNetwork(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = built(28, 28);
        net.fit(images(1, 28, 28, 11), labels());
        File file = dir.resolve("model.zip").toFile();
        try (OutputStream out = Files.newOutputStream(file.toPath())) {
            ModelStore.write(Network.of(net), out);
        }
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertInstanceOf(ConvolutionLayer.class, loaded.getLayerWiseConfigurations().getConf(0).getLayer());
        assertFalse(loaded.getLayerWiseConfigurations().toJson().contains("io.tributary"), "DL4J's layers only");
        INDArray x = images(1, 28, 28, 12);
        assertClose(net.output(x), loaded.output(x), 1e-5, "outputs of the standard form");
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        assertEquals(net.getIterationCount(), loaded.getIterationCount());
        MultiLayerNetwork fusedAgain = FusedStack.forBackend(loaded);
        assertEquals(net.getLayerWiseConfigurations(), fusedAgain.getLayerWiseConfigurations());
        assertEquals(net.output(x), fusedAgain.output(x));
        assertEquals(net.params(), fusedAgain.params());
        assertEquals(net.getUpdater().getStateViewArray(), fusedAgain.getUpdater().getStateViewArray());
    }

    @Test
    void inputInAnyLayoutGivesTheSameOutputs() {
        MultiLayerNetwork net = built(28, 28);
        INDArray x = images(1, 28, 28, 14);
        INDArray fOrder = x.dup('f');
        assertEquals('f', fOrder.ordering());
        assertEquals(net.output(x), net.output(fOrder));
        INDArray padded = Nd4j.zeros(DataType.FLOAT, BATCH + 2, 1, 28, 28);
        padded.get(NDArrayIndex.interval(2, BATCH + 2)).assign(x);
        INDArray offsetView = padded.get(NDArrayIndex.interval(2, BATCH + 2));
        assertTrue(offsetView.offset() > 0);
        assertEquals(net.output(x), net.output(offsetView));
    }

    @Test
    void wrongInputIsNamed() {
        MultiLayerNetwork net = built(28, 28);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.output(Nd4j.zeros(DataType.FLOAT, 2, 3, 28, 28)));
        assertTrue(e.getMessage().contains("expects 1 input channels, got 3"), e.getMessage());
    }

    @Test
    void aNonFloatNetworkIsRefused() {
        MultiLayerConfiguration conf = FusedStack.fuse(ModelZoo.build(ModelZoo.SEED_CNN,
                new InputShape(1, 28, 28), 10, 1e-3, 1));
        conf.setDataType(DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> init(conf));
        assertTrue(e.getMessage().contains("FLOAT"), e.getMessage());
    }
}
