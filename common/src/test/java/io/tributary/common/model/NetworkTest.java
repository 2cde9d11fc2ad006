package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.store.ModelStore;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The network abstraction keeps a graph's and a stack's state whole: through a save and a load, and across forms. */
class NetworkTest {
    static ComputationGraphConfiguration graph() {
        return new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("in")
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build(), "a")
                .addLayer("c", new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build(), "in")
                .addVertex("m", new MergeVertex(), "b", "c")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "m")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 1)).build();
    }

    static DataSet batch() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 3);
        for (int i = 0; i < 5; i++) y.putScalar(i, i % 3, 1);
        return new DataSet(Nd4j.rand(DataType.FLOAT, 5, 1, 6, 6), y);
    }

    @Test
    void aGraphKeepsItsParametersUpdaterStateAndCountersThroughASaveAndALoad() throws Exception {
        Network net = NetworkConfig.of(graph()).init(null);
        assertInstanceOf(Network.Graph.class, net);
        for (int i = 0; i < 3; i++) {
            net.fit(batch());
        }
        assertEquals(3, net.iterationCount());
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        ModelStore.write(net, zip);
        Network loaded = ModelStore.read("graph.zip", new ByteArrayInputStream(zip.toByteArray()));
        assertInstanceOf(Network.Graph.class, loaded);
        assertEquals(3, loaded.iterationCount(), "the counters live in a graph's configuration");
        assertEquals(net.params(), loaded.params());
        assertEquals(net.updaterState(), loaded.updaterState());
        INDArray x = batch().getFeatures();
        assertEquals(net.output(x), loaded.output(x));
        // One more step from either gives the same parameters: training continues from the same state.
        DataSet next = batch();
        net.fit(next);
        loaded.fit(next);
        assertEquals(net.params(), loaded.params());
    }

    @Test
    void initialisingTwiceFromOneConfigurationSharesNoCounters() {
        NetworkConfig conf = NetworkConfig.of(graph());
        Network a = conf.init(null);
        Network b = conf.init(null);
        a.fit(batch());
        assertEquals(1, a.iterationCount());
        assertEquals(0, b.iterationCount());
        assertEquals(0, ((NetworkConfig.Graph) conf).dl4j().getIterationCount());
    }

    @Test
    void aGraphWithTwoOutputsIsRefusedNamingThem() {
        ComputationGraphConfiguration two = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("o1", new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).build(), "in")
                .addLayer("o2", new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).build(), "in")
                .setOutputs("o1", "o2").build();
        var e = assertThrows(InputException.class, () -> NetworkConfig.of(two));
        assertTrue(e.getMessage().contains("2 outputs [o1, o2]"), e.getMessage());
    }
}
