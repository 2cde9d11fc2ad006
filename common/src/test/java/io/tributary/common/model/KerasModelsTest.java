package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.Json;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Keras 2 HDF5 import against the fixtures of {@code src/test/resources/keras} (written by
 * {@code generate_fixtures.py}): outputs equal the NumPy reference outputs for NCHW inputs, the
 * training setup comes from the file or from the defaults, the seed model takes the fused
 * convolution path and trains, and every kind of bad file is refused with one sentence.
 */
class KerasModelsTest {
    private static final Path DIR = Path.of("src/test/resources/keras");
    private static final double LR = 0.005;
    private static final long MAX = TrainKeys.MAX_PARAMETERS.defaultValue();

    private static Model read(String file) {
        return KerasModels.read(file, DIR.resolve(file), LR, MAX);
    }

    /** The reference inputs (HWC) transposed to NCHW, and the reference probabilities. */
    private record Reference(INDArray input, INDArray output) {
        @SuppressWarnings("unchecked")
        static Reference of(String json) throws IOException {
            Map<String, Object> ref = Json.readMap(Files.readAllBytes(DIR.resolve(json)));
            List<List<List<List<Number>>>> inputs = (List<List<List<List<Number>>>>) ref.get("inputs");
            List<List<Number>> outputs = (List<List<Number>>) ref.get("outputs");
            int h = inputs.get(0).size(), w = inputs.get(0).get(0).size(), c = inputs.get(0).get(0).get(0).size();
            INDArray in = Nd4j.create(DataType.FLOAT, inputs.size(), c, h, w);
            for (int n = 0; n < inputs.size(); n++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int k = 0; k < c; k++)
                            in.putScalar(new long[] {n, k, y, x}, inputs.get(n).get(y).get(x).get(k).doubleValue());
            INDArray out = Nd4j.create(DataType.DOUBLE, outputs.size(), outputs.get(0).size());
            for (int n = 0; n < outputs.size(); n++)
                for (int j = 0; j < outputs.get(n).size(); j++)
                    out.putScalar(n, j, outputs.get(n).get(j).doubleValue());
            return new Reference(in, out);
        }
    }

    private static void assertOutputs(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        for (int n = 0; n < expected.rows(); n++) {
            for (int j = 0; j < expected.columns(); j++) {
                double e = expected.getDouble(n, j), a = actual.getDouble(n, j);
                assertEquals(e, a, 1e-5 * Math.abs(e) + 1e-7, "example " + n + ", class " + j);
            }
        }
    }

    private static INDArray output(Model model, INDArray input) {
        return model instanceof MultiLayerNetwork net ? net.output(input) : ((ComputationGraph) model).outputSingle(input);
    }

    @Test
    void seedModelImportsAsNchwNetworkWithTheReferenceOutputs() throws IOException {
        Model model = read("seed_cnn.h5");
        MultiLayerNetwork net = assertInstanceOf(MultiLayerNetwork.class, model);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        assertEquals(CNN2DFormat.NCHW, ((ConvolutionLayer) conf.getConf(0).getLayer()).getCnn2dDataFormat());
        assertEquals(CNN2DFormat.NCHW, ((SubsamplingLayer) conf.getConf(1).getLayer()).getCnn2dDataFormat());
        assertEquals(CNN2DFormat.NCHW, ((CnnToFeedForwardPreProcessor) conf.getInputPreProcess(2)).getFormat());
        Reference ref = Reference.of("seed_cnn.json");
        assertOutputs(ref.output(), output(net, ref.input()));
    }

    @Test
    void seedModelTrainsWithTheOptimizerAndLossOfItsTrainingConfig() {
        MultiLayerNetwork net = (MultiLayerNetwork) read("seed_cnn.h5");
        assertUpdaters(net.getLayerWiseConfigurations().getConfs().stream().map(c -> c.getLayer()), 0.001);
        LossLayer loss = assertInstanceOf(LossLayer.class, net.getLayerWiseConfigurations()
                .getConf(net.getnLayers() - 1).getLayer());
        assertInstanceOf(LossMCXENT.class, loss.getLossFn());
    }

    @Test
    void withoutTrainingConfigASoftmaxModelGetsAdamWithTheFallbackRateAndCrossEntropy() throws IOException {
        MultiLayerNetwork net = (MultiLayerNetwork) read("seed_cnn_no_training_config.h5");
        assertUpdaters(net.getLayerWiseConfigurations().getConfs().stream().map(c -> c.getLayer()), LR);
        LossLayer loss = assertInstanceOf(LossLayer.class, net.getLayerWiseConfigurations()
                .getConf(net.getnLayers() - 1).getLayer());
        assertInstanceOf(LossMCXENT.class, loss.getLossFn());
        Reference ref = Reference.of("seed_cnn.json");
        assertOutputs(ref.output(), output(net, ref.input()));
    }

    private static void assertUpdaters(Stream<Layer> layers, double lr) {
        List<IUpdater> updaters = layers.filter(l -> l instanceof BaseLayer b && !(l instanceof LossLayer))
                .map(l -> ((BaseLayer) l).getIUpdater()).toList();
        assertFalse(updaters.isEmpty());
        for (IUpdater u : updaters) {
            Adam adam = assertInstanceOf(Adam.class, u);
            assertEquals(lr, adam.getLearningRate(), 1e-12);
        }
    }

    @Test
    void functionalModelImportsAsComputationGraphWithTheReferenceOutputs() throws IOException {
        ComputationGraph graph = assertInstanceOf(ComputationGraph.class, read("two_branch.h5"));
        Reference ref = Reference.of("two_branch.json");
        assertOutputs(ref.output(), output(graph, ref.input()));
        assertUpdaters(graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex)
                .map(v -> ((LayerVertex) v).getLayerConf().getLayer()), 0.001);
    }

    @Test
    void seedModelTakesTheFusedConvolutionPathWithTheSameOutputs() throws IOException {
        MultiLayerNetwork net = (MultiLayerNetwork) read("seed_cnn.h5");
        MultiLayerConfiguration fused = FusedStack.fuse(net.getLayerWiseConfigurations());
        assertTrue(FusedStack.isFused(fused), "the imported conv+pool block was not fused");
        assertInstanceOf(ConvPoolRelu.class, fused.getConf(0).getLayer());
        assertEquals(net.getnLayers() - 1, fused.getConfs().size());
        MultiLayerNetwork fast = FusedStack.withConfiguration(net, fused);
        Reference ref = Reference.of("seed_cnn.json");
        assertOutputs(ref.output(), output(fast, ref.input()));
    }

    @Test
    void importedModelsLearnOnATinyDataset() {
        for (String file : List.of("seed_cnn.h5", "two_branch.h5")) {
            Model model = read(file);
            Random random = new Random(7);
            INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
            for (int i = 0; i < 16; i++) y.putScalar(i, random.nextInt(10), 1.0);
            DataSet data = new DataSet(x, y);
            double before, after;
            if (model instanceof MultiLayerNetwork net) {
                before = net.score(data);
                for (int i = 0; i < 10; i++) net.fit(data);
                after = net.score(data);
            } else {
                ComputationGraph g = (ComputationGraph) model;
                before = g.score(data);
                for (int i = 0; i < 10; i++) g.fit(data);
                after = g.score(data);
            }
            assertTrue(after < 0.8 * before, file + ": loss " + before + " -> " + after);
        }
    }

    // ------------------------------------------------------------ bad input

    private static String refused(Path file) {
        InputException e = assertThrows(InputException.class, () -> KerasModels.read(file.toString(), file, LR, MAX));
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertFalse(message.contains("\n"), message);
        return message;
    }

    @Test
    void aKeras3ArchiveIsRefusedNamingTheFormat(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.keras");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("metadata.json"));
            zip.write("{\"keras_version\": \"3.3.3\"}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write("{\"class_name\": \"Sequential\"}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            zip.write(Files.readAllBytes(DIR.resolve("no_model_config.h5")));
        }
        String message = refused(file);
        assertTrue(message.contains("Keras 3 .keras"), message);
        assertTrue(message.contains("Keras 2 HDF5"), message);
    }

    @Test
    void aFileWithoutTheHdf5SignatureIsRefused(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("model.h5"), "{\"class_name\": \"Sequential\"}\n");
        String message = refused(text);
        assertTrue(message.contains("HDF5 signature") && message.contains("7b 22"), message);
        assertTrue(refused(Files.write(dir.resolve("empty.h5"), new byte[0])).contains("empty"));
    }

    @Test
    void aTruncatedHdf5FileIsRefusedBeforeTheNativeLibraryReadsIt(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(DIR.resolve("seed_cnn.h5"));
        for (int length : new int[] {whole.length - 1, whole.length / 2, 4096, 40}) {
            Path cut = Files.write(dir.resolve("cut-" + length + ".h5"), Arrays.copyOf(whole, length));
            String message = refused(cut);
            assertTrue(message.contains("truncated") && message.contains(length + " bytes"), message);
        }
    }

    @Test
    void aFileWithoutModelConfigIsRefused() {
        assertTrue(refused(DIR.resolve("no_model_config.h5")).contains("no model_config"));
    }

    @Test
    void aModelConfigNestedTooDeeplyIsRefused() {
        assertTrue(refused(DIR.resolve("deep_model_config.h5")).contains("nested deeper than " + KerasModels.MAX_DEPTH));
    }

    @Test
    void anUnsupportedLayerIsRefusedNamingItAndTheSupportedLayers() {
        String message = refused(DIR.resolve("unsupported_layer.h5"));
        assertTrue(message.contains("\"layer_normalization\"") && message.contains("LayerNormalization"), message);
        assertTrue(message.contains("supported layers: InputLayer, Dense") && message.contains("Conv2D"), message);
        assertFalse(message.contains("Please file an issue"), message);
    }

    @Test
    void withoutTrainingConfigAnOutputThatIsNotSoftmaxIsRefused() {
        String message = refused(DIR.resolve("linear_no_training_config.h5"));
        assertTrue(message.contains("without its training config") && message.contains("\"dense_1\"")
                && message.contains("softmax"), message);
    }
}
