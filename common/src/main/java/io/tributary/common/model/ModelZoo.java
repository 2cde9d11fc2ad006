package io.tributary.common.model;

import io.tributary.common.config.ConfigException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

/** Network architectures by name. Each is built for the input's image size and class count. */
public final class ModelZoo {
    /**
     * The reference CNN: Conv2D 32 3x3 ReLU, MaxPool 2x2, Dense 128 ReLU, Dense softmax, Adam. Built
     * as three layers, the first {@link ConvPoolRelu} doing the convolution, ReLU and pooling.
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

    public static MultiLayerConfiguration build(String name, InputShape shape, double learningRate, long seed) {
        if (!SEED_CNN.equals(name)) {
            throw new ConfigException("model", "\"" + name + "\"", "must be one of " + String.join(", ", names()));
        }
        if (shape.rows() < 4 || shape.cols() < 4) {
            throw new ConfigException("Images of " + shape.rows() + "x" + shape.cols()
                    + " are too small for model " + name + ": it needs at least 4x4");
        }
        return seedCnn(shape, learningRate, seed);
    }

    private static MultiLayerConfiguration seedCnn(InputShape shape, double learningRate, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                // Conv2D 32 3x3 ReLU and MaxPool 2 as one layer computed in one pass per example: the same
                // parameters and function as DL4J's ConvolutionLayer + SubsamplingLayer, at a fraction of the
                // time of their im2col, permute and pooling ops (docs/performance.md). ModelZooTest checks it.
                .layer(new ConvPoolRelu.Builder(3, 2).nOut(32).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(shape.numClasses())
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(shape.rows(), shape.cols(), shape.channels(), CNN2DFormat.NCHW))
                .build();
    }
}
