package io.tributary.common.model;

import io.tributary.common.config.ConfigException;
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

import java.util.List;

/** Network architectures by name. Each is built for the input's image size and class count. */
public final class ModelZoo {
    /**
     * The reference CNN: Conv2D 32 3x3 ReLU, MaxPool 2x2, Dense 128 ReLU, Dense softmax, Adam (see
     * {@link #seedCnn}: built in DL4J's standard layers everywhere, fused on CPUs by {@link FusedLayers#forBackend}).
     */
    public static final String SEED_CNN = "seed-cnn";

    private ModelZoo() {
    }

    public static List<String> names() {
        return List.of(SEED_CNN);
    }

    /** The shape of the input images and the number of classes a network is built for. */
    public record InputShape(int rows, int cols, int channels, int numClasses) {
    }

    /** Refuses a name that is not in the zoo, naming the ones that are. */
    public static void requireKnown(String name) {
        if (!names().contains(name)) {
            throw new ConfigException("model", "\"" + name + "\"", "must be one of " + String.join(", ", names()));
        }
    }

    public static MultiLayerConfiguration build(String name, InputShape shape, double learningRate, long seed) {
        requireKnown(name);
        if (shape.rows() < 4 || shape.cols() < 4) {
            throw new ConfigException("Images of " + shape.rows() + "x" + shape.cols()
                    + " are too small for model " + name + ": it needs at least 4x4");
        }
        return seedCnn(shape, learningRate, seed);
    }

    /**
     * The reference CNN, in DL4J's standard layers (Conv2D with ReLU, then max-pooling, as Keras has
     * it): what is saved. On a CPU backend the convolution block runs as one {@link ConvPoolRelu}
     * layer ({@link FusedLayers#forBackend}), with the same parameters.
     */
    static MultiLayerConfiguration seedCnn(InputShape shape, double learningRate, long seed) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).build());
        return layers
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(shape.numClasses())
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(shape.rows(), shape.cols(), shape.channels(), CNN2DFormat.NCHW))
                .build();
    }
}
