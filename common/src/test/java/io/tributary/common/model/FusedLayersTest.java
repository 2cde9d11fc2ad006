package io.tributary.common.model;

import io.tributary.common.config.InputShape;
import io.tributary.common.store.ModelStore;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rewrite of DL4J's convolution blocks into {@link ConvPoolRelu}: every ReLU placement it
 * accepts computes the same outputs, loss and gradients as DL4J's layers; blocks it cannot prove
 * equivalent stay as they are; saved models hold DL4J's layers only, load in a plain DL4J program
 * (no Tributary class on its classpath) with the same outputs, and a model saved with the fused
 * layer by an earlier release loads in the standard form.
 */
class FusedLayersTest {
    private static final int BATCH = 6;

    /** Input 1x12x11, a convolution block built by {@code block}, then dense and output layers. */
    private static MultiLayerConfiguration network(int channels, Layer... block) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(3).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).list();
        for (Layer l : block) {
            b.layer(l);
        }
        return b.layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 11, channels, CNN2DFormat.NCHW))
                .build();
    }

    private static ConvolutionLayer conv(int k, Activation a) {
        return new ConvolutionLayer.Builder(k, k).nOut(5).stride(1, 1).activation(a).dataFormat(CNN2DFormat.NCHW).build();
    }

    private static SubsamplingLayer maxPool(int p) {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(p, p).stride(p, p).build();
    }

    private static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray input(int channels, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, BATCH, channels, 12, 11).subi(0.4);
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 4);
        for (int i = 0; i < BATCH; i++) y.putScalar(i, i % 4, 1.0);
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + " differ by " + diff + " (largest value " + scale + ")");
    }

    /** Fuses {@code conf}, checks it became {@code fusedLayers} layers with a ConvPoolRelu first, and the same function. */
    private static void assertFusesToTheSameNetwork(MultiLayerConfiguration conf, int channels, int fusedLayers) {
        MultiLayerNetwork standard = init(conf);
        MultiLayerNetwork fused = FusedStack.forBackend(standard);
        assertEquals(fusedLayers, fused.getnLayers(), "layers after the rewrite");
        assertInstanceOf(ConvPoolRelu.class, fused.getLayerWiseConfigurations().getConf(0).getLayer());
        assertEquals(standard.params(), fused.params(), "the same parameter vector");
        INDArray x = input(channels, 21);
        assertClose(standard.output(x), fused.output(x), 1e-5, "outputs");
        for (MultiLayerNetwork n : List.of(standard, fused)) {
            n.setInput(x);
            n.setLabels(labels());
            n.computeGradientAndScore();
        }
        assertEquals(standard.score(), fused.score(), 1e-5, "loss");
        assertTrue(standard.gradient().gradient().amaxNumber().doubleValue() > 0);
        assertClose(standard.gradient().gradient(), fused.gradient().gradient(), 1e-4, "gradients");
        // and after training steps the two forms stay together (same updater state layout)
        standard.fit(x, labels());
        fused.fit(x, labels());
        assertClose(standard.params(), fused.params(), 1e-4, "parameters after a step");
        assertClose(standard.getUpdater().getStateViewArray(), fused.getUpdater().getStateViewArray(), 1e-4,
                "updater state after a step");
    }

    @Test
    void aConvolutionWithReluThenMaxPoolingIsFused() {
        assertFusesToTheSameNetwork(network(1, conv(3, Activation.RELU), maxPool(2)), 1, 3);
    }

    @Test
    void aReluLayerBetweenConvolutionAndPoolingIsFused() {
        assertFusesToTheSameNetwork(network(2, conv(3, Activation.IDENTITY), relu(), maxPool(2)), 2, 3);
    }

    @Test
    void aReluLayerAfterThePoolingIsFused() {
        assertFusesToTheSameNetwork(network(1, conv(5, Activation.IDENTITY), maxPool(3), relu()), 1, 3);
    }

    @Test
    void theSeedCnnIsFusedOnTheCpu() {
        MultiLayerConfiguration conf = ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-3, 1);
        assertFalse(FusedStack.isFused(conf), "built in DL4J's layers");
        assertTrue(FusedStack.isFused(FusedStack.forBackend(conf)), "run fused on the CPU backend");
    }

    @Test
    void blocksThatAreNotProvablyTheSameStayAsDl4jsLayers() {
        List<MultiLayerConfiguration> unfusable = List.of(
                network(1, conv(3, Activation.IDENTITY), maxPool(2)),                       // no ReLU anywhere
                network(1, conv(3, Activation.TANH), maxPool(2)),                           // another activation
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).stride(2, 2).activation(Activation.RELU).build(),
                        maxPool(2)),                                                        // stride 2
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).padding(1, 1).activation(Activation.RELU).build(),
                        maxPool(2)),                                                        // padding
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), maxPool(2)),                  // same mode
                network(1, new ConvolutionLayer.Builder(3, 2).nOut(5).activation(Activation.RELU).build(),
                        maxPool(2)),                                                        // a non-square kernel
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.RELU).l2(1e-4).build(),
                        maxPool(2)),                                                        // regularization
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.RELU).dropOut(0.5).build(),
                        maxPool(2)),                                                        // dropout
                network(1, new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.RELU).hasBias(false).build(),
                        maxPool(2)),                                                        // no bias
                network(1, conv(3, Activation.RELU), new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2)
                        .stride(2, 2).build()),                                             // average pooling
                network(1, conv(3, Activation.RELU), new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3)
                        .stride(2, 2).build()),                                             // overlapping windows
                network(1, new Deconvolution2D.Builder(3, 3).nOut(5).activation(Activation.RELU).build(),
                        maxPool(2)),                                                        // a convolution's subclass
                network(1, conv(3, Activation.RELU)));                                      // no pooling
        for (MultiLayerConfiguration conf : unfusable) {
            assertSame(conf, FusedStack.fuse(conf), "left as it is:\n" + conf.toJson());
        }
        MultiLayerConfiguration inDouble = network(1, conv(3, Activation.RELU), maxPool(2));
        inDouble.setDataType(DataType.DOUBLE);
        assertSame(inDouble, FusedStack.fuse(inDouble), "the fused kernels compute in float only");
    }

    @Test
    void aSavedModelHasDl4jsLayersOnlyAndLoadsInAPlainDl4jProgram(@TempDir Path dir) throws Exception {
        MultiLayerNetwork fused = FusedStack.forBackend(init(network(1, conv(3, Activation.RELU), maxPool(2))));
        assertTrue(FusedStack.isFused(fused.getLayerWiseConfigurations()));
        fused.fit(input(1, 5), labels());
        Path zip = dir.resolve("model.zip");
        try (OutputStream out = Files.newOutputStream(zip)) {
            ModelStore.write(Network.of(fused), out);
        }
        INDArray x = input(1, 8);
        Nd4j.saveBinary(x, dir.resolve("x.bin").toFile());

        // A JVM with DL4J's jars but none of Tributary's classes, running a plain DL4J program.
        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("/target/classes") && !e.contains("/target/test-classes")
                        && !e.contains("tributary-")).toList();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(cmd::add);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classpath),
                Path.of("src/test/resources/plain-dl4j/PlainDl4jScore.java").toAbsolutePath().toString(),
                zip.toString(), dir.resolve("x.bin").toString(), dir.resolve("y.bin").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("plain.log").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the plain DL4J program did not finish");
        String log = Files.readString(dir.resolve("plain.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("layers 4, parameters " + fused.numParams()), log);
        assertClose(fused.output(x), Nd4j.readBinary(dir.resolve("y.bin").toFile()), 1e-5,
                "outputs of the fused network and of plain DL4J's loaded model");
    }

    @Test
    void aModelSavedWithTheFusedLayerLoadsInDl4jsLayers(@TempDir Path dir) throws Exception {
        // What releases before the rewrite wrote: the fused layer in configuration.json.
        MultiLayerNetwork fused = FusedStack.forBackend(init(network(1, conv(3, Activation.RELU), maxPool(2))));
        fused.fit(input(1, 6), labels());
        File file = dir.resolve("old.zip").toFile();
        ModelSerializer.writeModel(fused, file, true);
        MultiLayerNetwork loaded;
        try (var in = Files.newInputStream(file.toPath())) {
            loaded = ((Network.Stack) ModelStore.read(file.toString(), in)).dl4j();
        }
        assertFalse(FusedStack.isFused(loaded.getLayerWiseConfigurations()));
        assertEquals(4, loaded.getnLayers(), "convolution, pooling, dense, output");
        assertEquals(fused.params(), loaded.params());
        assertEquals(fused.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        assertEquals(fused.getIterationCount(), loaded.getIterationCount());
        INDArray x = input(1, 9);
        assertClose(fused.output(x), loaded.output(x), 1e-5, "outputs");
    }
}
