package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model written by {@link ModelStore} reads back, through ModelStore's own reader, as the network
 * DL4J's loader restores from the same bytes: same configuration, parameters, updater state,
 * counters and outputs.
 */
class ModelStoreTest {
    private static final int SIDE = 12;

    private static MultiLayerNetwork trained() {
        MultiLayerNetwork net = ModelZipFixtures.seedCnn(SIDE, 10);
        for (int i = 0; i < 3; i++) {
            net.fit(Nd4j.rand(DataType.FLOAT, 4, 1, SIDE, SIDE), labels(4, 10));
        }
        net.incrementEpochCount();
        return net;
    }

    private static INDArray labels(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) y.putScalar(i, i % classes, 1);
        return y;
    }

    private static byte[] written(MultiLayerNetwork net) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelStore.write(Network.of(net), out);
        return out.toByteArray();
    }

    private static void assertSame(MultiLayerNetwork expected, MultiLayerNetwork actual, INDArray x) {
        assertEquals(expected.getLayerWiseConfigurations(), actual.getLayerWiseConfigurations());
        assertEquals(expected.params(), actual.params());
        assertEquals(expected.getIterationCount(), actual.getIterationCount());
        assertEquals(expected.getEpochCount(), actual.getEpochCount());
        if (expected.getUpdater().getStateViewArray() != null) {
            assertEquals(expected.getUpdater().getStateViewArray(), actual.getUpdater().getStateViewArray());
        }
        assertEquals(expected.output(x), actual.output(x));
    }

    @Test
    void aSavedModelReadsBackAsDl4jRestoresIt() throws Exception {
        MultiLayerNetwork net = trained();
        byte[] zip = written(net);
        MultiLayerNetwork ours = ((Network.Stack) ModelStore.read("model.zip", new ByteArrayInputStream(zip))).dl4j();
        MultiLayerNetwork dl4j = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, SIDE, SIDE);
        assertTrue(net.getIterationCount() == 3 && net.getEpochCount() == 1, "counters to compare");
        assertTrue(net.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0, "Adam has state");
        assertSame(dl4j, ours, x);
        assertSame(net, ours, x);
        // Training goes on from the same state: one more step gives the same parameters.
        INDArray y = labels(3, 10);
        dl4j.fit(x, y);
        ours.fit(x, y);
        assertEquals(dl4j.params(), ours.params());
    }

    /** The entries are DL4J's, in its order, at deflate level 0 (a checkpoint every round would pay for more). */
    @Test
    void theEntriesAreDl4jsAndUncompressed() throws Exception {
        byte[] zip = written(trained());
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                long size = in.readAllBytes().length;
                in.closeEntry();
                assertTrue(e.getCompressedSize() >= size, e.getName() + ": " + e.getCompressedSize() + " bytes for " + size);
            }
        }
        assertEquals(List.of(ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN,
                ModelSerializer.UPDATER_BIN), names);
    }

    /** A network without parameters is written as DL4J's layout has it (an empty entry and the marker) and reads back. */
    @Test
    void aNetworkWithoutParametersIsWrittenWithDl4jsMarkerAndReadsBack() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.feedForward(4)).build());
        net.init();
        assertEquals(0, net.numParams());
        byte[] zip = written(net);
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName() + ":" + in.readAllBytes().length);
            }
        }
        assertEquals(List.of(ModelSerializer.CONFIGURATION_JSON + ":" + net.getLayerWiseConfigurations().toJson().length(),
                ModelSerializer.COEFFICIENTS_BIN + ":0", ModelSerializer.NO_PARAMS_MARKER + ":0"), names);
        Network read = ModelStore.read("no-params.zip", new ByteArrayInputStream(zip));
        assertEquals(0, read.numParams());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4);
        assertEquals(net.output(x.dup()), read.output(x.dup()));
    }

    @Test
    void modelsWithoutUpdaterStateOrOfOtherLayersRead() throws Exception {
        for (var updater : new IUpdater[] {new Sgd(0.1), new Nesterovs(0.1, 0.9)}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(updater).list()
                    .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                            .activation(Activation.IDENTITY).build())
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            net.fit(Nd4j.rand(DataType.FLOAT, 6, 5), Nd4j.rand(DataType.FLOAT, 6, 2));
            byte[] zip = written(net);
            MultiLayerNetwork dl4j = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);
            assertSame(dl4j, ((Network.Stack) ModelStore.read("dense.zip", new ByteArrayInputStream(zip))).dl4j(),
                    Nd4j.rand(DataType.FLOAT, 2, 5));
        }
    }

    @Test
    void theConfigurationReadsWithoutTheParameters() throws Exception {
        MultiLayerNetwork net = trained();
        MultiLayerConfiguration conf = ((NetworkConfig.Stack) ModelStore.readConfiguration("model.zip", new ByteArrayInputStream(written(net)))).dl4j();
        assertEquals(net.getLayerWiseConfigurations(), conf);
        assertEquals(3, conf.getIterationCount());
    }

    @Test
    void loadsFromAFileOrItsDirectory(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = trained();
        Files.write(dir.resolve(ModelStore.MODEL_FILE), written(net));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, SIDE, SIDE);
        assertSame(net, ((Network.Stack) ModelStore.load(HadoopFs.resolve("model", dir.toString(), new Configuration()))).dl4j(), x);
        assertSame(net, ((Network.Stack) ModelStore.load(HadoopFs.resolve("model",
                dir.resolve(ModelStore.MODEL_FILE).toString(), new Configuration()))).dl4j(), x);
        var missing = assertThrows(InputException.class,
                () -> ModelStore.load(HadoopFs.resolve("model", dir.resolve("nope.zip").toString(), new Configuration())));
        assertTrue(missing.getMessage().endsWith("nope.zip does not exist"), missing.getMessage());
    }
}
