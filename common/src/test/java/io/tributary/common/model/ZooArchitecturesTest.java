package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigException;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The zoo's networks: their layer sizes (parameter counts worked out by hand from the architecture),
 * outputs for NCHW input, the fused path for their convolution blocks (the same function as DL4J's
 * layers), that each learns, and the inputs and hidden sizes they refuse.
 */
class ZooArchitecturesTest {
    /** A network's input shape (C,H,W) and class count, by rows, columns, channels and classes. */
    private record Net(InputShape shape, int numClasses) {
        Net(int rows, int cols, int channels, int numClasses) {
            this(new InputShape(channels, rows, cols), numClasses);
        }

        int rows() {
            return shape.height();
        }

        int cols() {
            return shape.width();
        }

        int channels() {
            return shape.channels();
        }
    }

    private static final Net GREY = new Net(28, 28, 1, 10);
    private static final Net COLOUR = new Net(32, 32, 3, 10);

    /** Weights and biases of a convolution. */
    private static long conv(int kernel, int in, int out) {
        return (long) out * in * kernel * kernel + out;
    }

    /** Weights and biases of a dense layer. */
    private static long dense(long in, int out) {
        return in * out + out;
    }

    /** The side after a truncating {@code kernel} convolution and a 2x2 max-pooling. */
    private static int block(int side, int kernel) {
        return (side - kernel + 1) / 2;
    }

    private static long seedCnn(Net s) {
        int side = block(s.rows(), 3);
        return conv(3, s.channels(), 32) + dense(32L * side * side, 128) + dense(128, s.numClasses());
    }

    private static long lenet5(Net s) {
        int side = block(block(s.rows(), 5), 5);
        return conv(5, s.channels(), 6) + conv(5, 6, 16) + dense(16L * side * side, 120) + dense(120, 84)
                + dense(84, s.numClasses());
    }

    private static long mlp(Net s, int... hidden) {
        long in = (long) s.rows() * s.cols() * s.channels();
        long total = 0;
        for (int h : hidden) {
            total += dense(in, h);
            in = h;
        }
        return total + dense(in, s.numClasses());
    }

    private static long vggSmall(Net s) {
        int side = block(block(block(s.rows(), 3), 3), 3);
        return conv(3, s.channels(), 16) + conv(3, 16, 32) + conv(3, 32, 64) + dense(64L * side * side, 256)
                + dense(256, s.numClasses());
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray images(int n, Net s, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, s.channels(), s.rows(), s.cols());
    }

    private static INDArray oneHot(int[] classes, int numClasses) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, classes.length, numClasses);
        for (int i = 0; i < classes.length; i++) y.putScalar(i, classes[i], 1.0);
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + " differ by " + diff + " (largest value " + scale + ")");
    }

    @Test
    void theZooListsEveryModel() {
        assertEquals(List.of("seed-cnn", "lenet5", "mlp", "vgg-small"), ModelZoo.names());
    }

    @Test
    void eachModelHasTheParametersItsLayersAdd() {
        for (Net s : List.of(GREY, COLOUR)) {
            Map<String, Long> expected = Map.of(
                    ModelZoo.SEED_CNN, seedCnn(s),
                    ModelZoo.LENET5, lenet5(s),
                    ModelZoo.MLP, mlp(s, 256, 128),
                    ModelZoo.VGG_SMALL, vggSmall(s));
            expected.forEach((name, n) -> {
                MultiLayerConfiguration conf = ModelZoo.build(name, s.shape(), s.numClasses(), 1e-3, 1);
                String what = name + " for " + s;
                assertEquals(n, ModelSize.parameters(conf), what);
                assertEquals(n, init(conf).numParams(), what + ", initialized");
                assertEquals(n, ModelSize.parameters(FusedStack.fuse(conf)), what + ", fused");
                assertEquals(n, ModelSize.requireAtMost(NetworkConfig.of(conf), n, what));
                InputException e = assertThrows(InputException.class, () -> ModelSize.requireAtMost(NetworkConfig.of(conf), n - 1, what));
                assertTrue(e.getMessage().startsWith("Model " + what + " has "), e.getMessage());
            });
        }
        // The figures docs/models.md gives.
        assertEquals(List.of(693_962L, 923_914L), List.of(seedCnn(GREY), seedCnn(COLOUR)));
        assertEquals(List.of(44_426L, 62_006L), List.of(lenet5(GREY), lenet5(COLOUR)));
        assertEquals(List.of(235_146L, 820_874L), List.of(mlp(GREY, 256, 128), mlp(COLOUR, 256, 128)));
        assertEquals(List.of(42_506L, 91_946L), List.of(vggSmall(GREY), vggSmall(COLOUR)));
    }

    @Test
    void mlpHasTheHiddenLayersItIsGiven() {
        MultiLayerConfiguration conf = ModelZoo.build(ModelZoo.MLP, COLOUR.shape(), COLOUR.numClasses(), 1e-3, 1, List.of(64, 32, 16));
        assertEquals(4, conf.getConfs().size(), "three hidden layers and the output");
        assertEquals(mlp(COLOUR, 64, 32, 16), init(conf).numParams());
        assertEquals(mlp(GREY, 7), ModelSize.parameters(ModelZoo.build(ModelZoo.MLP, GREY.shape(), GREY.numClasses(), 1e-3, 1, List.of(7))));
    }

    @Test
    void eachModelGivesOneProbabilityPerClassForNchwImages() {
        for (String name : ModelZoo.names()) {
            for (Net s : List.of(GREY, COLOUR, new Net(30, 26, 2, 4))) {
                INDArray out = init(ModelZoo.build(name, s.shape(), s.numClasses(), 1e-3, 1)).output(images(5, s, 3));
                assertArrayEquals(new long[] {5, s.numClasses()}, out.shape(), name + " for " + s);
                assertClose(Nd4j.ones(DataType.FLOAT, 5), out.sum(1), 1e-5, name + "'s probabilities summed");
            }
        }
    }

    @Test
    void theConvolutionBlocksOfLenet5AndVggSmallRunFusedAsTheSameNetwork() {
        Map<String, Integer> blocks = Map.of(ModelZoo.SEED_CNN, 1, ModelZoo.LENET5, 2, ModelZoo.VGG_SMALL, 3);
        for (Net s : List.of(GREY, COLOUR)) {
            blocks.forEach((name, count) -> {
                MultiLayerConfiguration conf = ModelZoo.build(name, s.shape(), s.numClasses(), 1e-3, 1);
                assertFalse(FusedStack.isFused(conf), "built in DL4J's layers");
                MultiLayerConfiguration fusedConf = FusedStack.fuse(conf);
                assertTrue(FusedStack.isFused(fusedConf), name);
                assertEquals((long) count, fusedConf.getConfs().stream().filter(c -> c.getLayer() instanceof ConvPoolRelu).count(),
                        name + ": every convolution block fused");
                assertEquals(conf.getConfs().size() - count, fusedConf.getConfs().size());

                MultiLayerNetwork standard = init(conf);
                MultiLayerNetwork fused = FusedStack.withConfiguration(standard, fusedConf);
                INDArray x = images(6, s, 17).subi(0.3);
                INDArray y = oneHot(new int[] {0, 1, 2, 3, 4, 5}, s.numClasses());
                assertClose(standard.output(x), fused.output(x), 1e-4, name + "'s outputs");
                for (MultiLayerNetwork n : List.of(standard, fused)) {
                    n.setInput(x);
                    n.setLabels(y);
                    n.computeGradientAndScore();
                }
                assertEquals(standard.score(), fused.score(), 1e-4, name + "'s loss");
                assertTrue(standard.gradient().gradient().amaxNumber().doubleValue() > 0);
                assertClose(standard.gradient().gradient(), fused.gradient().gradient(), 1e-4, name + "'s gradients");
            });
        }
        MultiLayerConfiguration mlp = ModelZoo.build(ModelZoo.MLP, GREY.shape(), GREY.numClasses(), 1e-3, 1);
        assertSame(mlp, FusedStack.fuse(mlp), "no convolution: nothing to fuse");
    }

    /**
     * Two classes that differ in mean brightness (0.35 against 0.65, with noise): each model, run as
     * the CPU runs it, lowers its loss on them by a fifth or more in 30 Adam steps and then tells
     * nearly all of them apart (the convolutional ones drop the loss far more; mlp is the slowest).
     */
    @Test
    void eachModelLearnsToTellDarkFromBrightImages() {
        for (String name : ModelZoo.names()) {
            for (Net s : List.of(new Net(28, 28, 1, 2), new Net(32, 32, 3, 2))) {
                int n = 32;
                int[] classes = new int[n];
                for (int i = 0; i < n; i++) classes[i] = i % 2;
                INDArray x = images(n, s, 40).subi(0.5).muli(0.3);
                for (int i = 0; i < n; i++) {
                    x.slice(i).addi(classes[i] == 0 ? 0.35 : 0.65);
                }
                INDArray y = oneHot(classes, 2);
                MultiLayerNetwork net = FusedStack.forBackend(init(ModelZoo.build(name, s.shape(), s.numClasses(), 1e-3, 5)));
                double initial = net.score(new DataSet(x, y));
                for (int step = 0; step < 30; step++) {
                    net.fit(x, y);
                }
                double after = net.score(new DataSet(x, y));
                INDArray predicted = net.output(x).argMax(1);
                long right = predicted.eq(Nd4j.createFromArray(classes).castTo(predicted.dataType()))
                        .castTo(DataType.INT).sumNumber().longValue();
                String what = name + " for " + s + ": loss " + initial + " -> " + after + ", " + right + " of " + n + " right";
                assertTrue(after < 0.8 * initial, what);
                assertTrue(right >= n - 4, what);   // chance is n / 2
            }
        }
    }

    @Test
    void imagesSmallerThanAModelTakesAreRefusedNamingTheMinimum() {
        Map<String, Integer> minimum = Map.of(ModelZoo.SEED_CNN, 4, ModelZoo.LENET5, 16, ModelZoo.MLP, 1,
                ModelZoo.VGG_SMALL, 22);
        minimum.forEach((name, side) -> {
            assertEquals(side, ModelZoo.minimumSide(name), name);
            // the minimum itself builds and runs (rows and columns checked apart)
            Net smallest = new Net(side, side, 3, 4);
            assertArrayEquals(new long[] {2, 4}, init(ModelZoo.build(name, smallest.shape(), smallest.numClasses(), 1e-3, 1))
                    .output(images(2, smallest, 1)).shape(), name + " at its minimum");
            if (side > 1) {
                for (Net s : List.of(new Net(side - 1, 40, 1, 10),
                        new Net(40, side - 1, 1, 10))) {
                    ConfigException e = assertThrows(ConfigException.class, () -> ModelZoo.build(name, s.shape(), s.numClasses(), 1e-3, 1));
                    assertEquals("Images of " + s.rows() + "x" + s.cols() + " are too small for model " + name
                            + ": it needs at least " + side + "x" + side, e.getMessage());
                }
            }
        });
    }

    @Test
    void anUnknownModelIsRefusedListingTheZoo() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelZoo.requireKnown("resnet"));
        assertEquals("Invalid value \"resnet\" for configuration model: must be one of seed-cnn, lenet5, mlp, vgg-small",
                e.getMessage());
    }

    @Test
    void hiddenSizesComeFromTheConfigAndBadOnesAreRefused() {
        Map<String, Object> values = new HashMap<>();
        values.put("data", "/d");
        values.put("output", "/o");
        TrainConfig defaults = ConfigLoader.load(null, values);
        assertEquals(List.of(256, 128), defaults.hidden());
        assertEquals("256,128", defaults.asMap().get("hidden"));
        values.put("hidden", " 64, 32 ,16");
        TrainConfig given = ConfigLoader.load(null, values);
        assertEquals(List.of(64, 32, 16), given.hidden());
        assertEquals(given.hidden(), ConfigLoader.load(given.asMap(), null, Map.of()).hidden(), "a saved config reloads");
        values.put("hidden", 512);   // a YAML number
        assertEquals(List.of(512), ConfigLoader.load(null, values).hidden());

        String rule = ": must be 1 to 100 comma-separated layer sizes, each between 1 and 65536, e.g. 256,128";
        for (String bad : List.of("0", "256,0", "256,-1", "65537", "256,,128", "256,abc", "1e3", "", " ",
                "9999999999", String.join(",", Collections.nCopies(101, "8")))) {
            values.put("hidden", bad);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, values), bad);
            String expected = bad.isBlank() ? "Invalid value \"" + bad + "\" for configuration hidden: must not be empty"
                    : "Invalid value \"" + bad + "\" for configuration hidden" + rule;
            assertEquals(expected, e.getMessage());
        }
        values.put("hidden", "65536");
        assertEquals(List.of(65_536), ConfigLoader.load(null, values).hidden(), "the largest size");

        ConfigException e = assertThrows(ConfigException.class,
                () -> ModelZoo.build(ModelZoo.MLP, GREY.shape(), GREY.numClasses(), 1e-3, 1, List.of(128, 0)));
        assertEquals("Invalid value \"128,0\" for configuration hidden" + rule, e.getMessage());
        assertThrows(ConfigException.class, () -> ModelZoo.build(ModelZoo.MLP, GREY.shape(), GREY.numClasses(), 1e-3, 1, List.of()));
    }
}
