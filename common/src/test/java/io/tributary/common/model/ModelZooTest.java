package io.tributary.common.model;

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
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.*;

/** The reference CNN as built (ReLU after the pooling) is the brief's network, layer order as written. */
class ModelZooTest {

    /** Conv2D 32 3x3 ReLU, MaxPool 2, Dense 128 ReLU, Dense 10 softmax, exactly in that order. */
    private static MultiLayerConfiguration asWritten() {
        return new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).dataType(DataType.DOUBLE)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1).activation(Activation.RELU)
                        .dataFormat(CNN2DFormat.NCHW).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1, CNN2DFormat.NCHW))
                .build();
    }

    @Test
    void theBuiltNetworkComputesTheSameOutputsAndGradientsAsTheWrittenOrder() {
        MultiLayerConfiguration builtConf = ModelZoo.build(ModelZoo.SEED_CNN, new ModelZoo.InputShape(28, 28, 1, 10),
                1e-3, 1);
        builtConf.setDataType(DataType.DOUBLE);
        MultiLayerNetwork built = new MultiLayerNetwork(builtConf);
        built.init();
        MultiLayerNetwork written = new MultiLayerNetwork(asWritten());
        written.init();
        assertEquals(written.numParams(), built.numParams());
        built.setParams(written.params().castTo(built.params().dataType()));

        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 16, 1, 28, 28).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 16, 10);
        for (int i = 0; i < 16; i++) y.putScalar(i, i % 10, 1.0);
        INDArray expected = written.output(x);
        INDArray actual = built.output(x);
        assertTrue(expected.equalsWithEps(actual, 1e-12), "outputs differ");

        written.setInput(x);
        written.setLabels(y);
        written.computeGradientAndScore();
        built.setInput(x);
        built.setLabels(y);
        built.computeGradientAndScore();
        assertEquals(written.score(), built.score(), 1e-12);
        INDArray g1 = written.gradient().gradient();
        INDArray g2 = built.gradient().gradient();
        assertTrue(g1.amaxNumber().doubleValue() > 0, "a non-trivial gradient");
        assertTrue(g1.equalsWithEps(g2, 1e-12), "gradients differ by " + g1.sub(g2).amaxNumber());
    }
}
