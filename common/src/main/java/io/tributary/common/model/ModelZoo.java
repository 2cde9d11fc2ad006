package io.tributary.common.model;

import io.tributary.common.config.ConfigException;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Network architectures by name, each built for the examples' shape (C,H,W) and class count, in DL4J's standard layers (NCHW, FLOAT, Adam, seeded): what is saved. The convolution blocks
 * (convolution with stride 1 and no padding, ReLU, then max-pooling) are of the form that
 * {@link FusedLayers#forBackend} runs as one {@link ConvPoolRelu} layer on a CPU backend.
 */
public final class ModelZoo {
    /**
     * The reference CNN: Conv2D 32 3x3 ReLU, MaxPool 2x2, Dense 128 ReLU, Dense softmax, Adam (see
     * {@link #seedCnn}: built in DL4J's standard layers everywhere, fused on CPUs by {@link FusedLayers#forBackend}).
     */
    public static final String SEED_CNN = "seed-cnn";
    /** LeNet-5: Conv 6 5x5 ReLU, MaxPool 2, Conv 16 5x5 ReLU, MaxPool 2, Dense 120 ReLU, Dense 84 ReLU, softmax. */
    public static final String LENET5 = "lenet5";
    /** A multi-layer perceptron over the flattened image: Dense ReLU layers of the {@code hidden} sizes, softmax. */
    public static final String MLP = "mlp";
    /**
     * A small VGG-style CNN for 32x32 colour images (and 28x28 grey ones): three blocks of Conv 3x3 ReLU
     * and MaxPool 2 with 16, 32 and 64 filters, Dense 256 ReLU, softmax.
     */
    public static final String VGG_SMALL = "vgg-small";

    /** A zoo entry: the smallest image side it takes, and how it is built. */
    private record Entry(int minSide, Builder builder) {
    }

    @FunctionalInterface
    private interface Builder {
        /** Adds the layers before the output layer to {@code list}. */
        NeuralNetConfiguration.ListBuilder layers(NeuralNetConfiguration.ListBuilder list, List<Integer> hidden);
    }

    // Minimum sides: every truncating convolution (k) takes k-1 rows, every pooling (2) halves, rounding down,
    // and the last pooling needs at least one whole window: seed-cnn 4 -> 2 -> 1; lenet5 16 -> 12 -> 6 -> 2 -> 1;
    // vgg-small 22 -> 20 -> 10 -> 8 -> 4 -> 2 -> 1.
    private static final Map<String, Entry> ZOO = new LinkedHashMap<>();

    static {
        ZOO.put(SEED_CNN, new Entry(4, (list, hidden) -> convBlock(list, 3, 32)
                .layer(dense(128))));
        ZOO.put(LENET5, new Entry(16, (list, hidden) -> convBlock(convBlock(list, 5, 6), 5, 16)
                .layer(dense(120))
                .layer(dense(84))));
        ZOO.put(MLP, new Entry(1, (list, hidden) -> {
            for (int size : hidden) {
                list.layer(dense(size));
            }
            return list;
        }));
        ZOO.put(VGG_SMALL, new Entry(22, (list, hidden) -> convBlock(convBlock(convBlock(list, 3, 16), 3, 32), 3, 64)
                .layer(dense(256))));
    }

    private ModelZoo() {
    }

    /** The zoo's names, in documentation order. */
    public static List<String> names() {
        return List.copyOf(ZOO.keySet());
    }

    /** Refuses a name that is not in the zoo, naming the ones that are. */
    public static void requireKnown(String name) {
        if (!ZOO.containsKey(name)) {
            throw new ConfigException("model", "\"" + name + "\"", "must be one of " + String.join(", ", names()));
        }
    }

    /** The smallest image height and width model {@code name} takes. */
    public static int minimumSide(String name) {
        requireKnown(name);
        return ZOO.get(name).minSide();
    }

    /** Refuses images of {@code height x width} smaller than model {@code name} takes. */
    public static void requireSide(String name, int height, int width) {
        int side = minimumSide(name);
        if (height < side || width < side) {
            throw new ConfigException("Images of " + height + "x" + width + " are too small for model "
                    + name + ": it needs at least " + side + "x" + side);
        }
    }

    /**
     * Model {@code name} for examples of {@code shape} and {@code numClasses} classes, with {@code mlp}'s
     * hidden sizes at their default ({@link TrainKeys#HIDDEN}).
     */
    public static MultiLayerConfiguration build(String name, InputShape shape, int numClasses, double learningRate,
                                                long seed) {
        return build(name, shape, numClasses, learningRate, seed,
                TrainKeys.hiddenSizes(TrainKeys.HIDDEN.defaultValue()));
    }

    /**
     * Model {@code name} for examples of {@code shape} (C,H,W) and {@code numClasses} classes.
     *
     * @param hidden the sizes of {@code mlp}'s hidden layers (other models ignore them), checked by the
     *               rule of {@link TrainKeys#HIDDEN}
     * @throws ConfigException for a name not in the zoo, bad hidden sizes, or images smaller than the model takes
     */
    public static MultiLayerConfiguration build(String name, InputShape shape, int numClasses, double learningRate,
                                                long seed, List<Integer> hidden) {
        requireKnown(name);
        List<Integer> sizes = TrainKeys.hiddenSizes(hidden.stream().map(String::valueOf).collect(Collectors.joining(",")));
        Entry entry = ZOO.get(name);
        requireSide(name, shape.height(), shape.width());
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        return entry.builder().layers(list, sizes)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(numClasses)
                        .activation(Activation.SOFTMAX)
                        .build())
                // A convolutional input type also gives a dense first layer (mlp) the preprocessor that flattens C,H,W.
                .setInputType(InputType.convolutional(shape.height(), shape.width(), shape.channels(),
                        CNN2DFormat.NCHW))
                .build();
    }

    /**
     * The reference CNN, in DL4J's standard layers (Conv2D with ReLU, then max-pooling, as Keras has
     * it): what is saved. On a CPU backend the convolution block runs as one {@link ConvPoolRelu}
     * layer ({@link FusedLayers#forBackend}), with the same parameters.
     */
    static MultiLayerConfiguration seedCnn(InputShape shape, int numClasses, double learningRate, long seed) {
        return build(SEED_CNN, shape, numClasses, learningRate, seed);
    }

    /** Conv {@code kernel}x{@code kernel} with {@code filters} filters and ReLU, then MaxPool 2: the form that fuses. */
    private static NeuralNetConfiguration.ListBuilder convBlock(NeuralNetConfiguration.ListBuilder list, int kernel,
                                                                int filters) {
        return list
                .layer(new ConvolutionLayer.Builder(kernel, kernel).nOut(filters).stride(1, 1).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).build());
    }

    private static DenseLayer dense(int size) {
        return new DenseLayer.Builder().nOut(size).activation(Activation.RELU).build();
    }
}
