package io.tributary.common.model;

import io.tributary.common.store.ModelStore;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rewrite of a computation graph's convolution → max-pooling vertices into {@link ConvPoolRelu}
 * vertices: the fused graph computes the same outputs, gradients and training steps as DL4J's
 * layers, turns back into them, carries parameters, updater state and counts across both forms, and
 * leaves a convolution whose output goes anywhere else than one pooling vertex as it is.
 */
class FusedGraphTest {
    private static final int BATCH = 6;
    private static final int SIZE = 12;

    private static ComputationGraphConfiguration.GraphBuilder builder() {
        return new NeuralNetConfiguration.Builder()
                .seed(5).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate).graphBuilder().addInputs("in");
    }

    private static ConvolutionLayer conv(int k, int nOut) {
        return new ConvolutionLayer.Builder(k, k).nOut(nOut).stride(1, 1).activation(Activation.RELU)
                .dataFormat(CNN2DFormat.NCHW).build();
    }

    private static SubsamplingLayer maxPool(int p) {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(p, p).stride(p, p).build();
    }

    /** Dense and softmax output layers after {@code last}, the input type, built. */
    private static ComputationGraphConfiguration finish(ComputationGraphConfiguration.GraphBuilder b, String last) {
        return b.addLayer("dense", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), last)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 2, CNN2DFormat.NCHW))
                .build();
    }

    /** in → conv 3x3 → pool 2 (10 → 5) and in → conv 2x2 → pool 2 (11 → 5), merged. */
    private static ComputationGraphConfiguration twoBranches() {
        return finish(builder()
                .addLayer("a", conv(3, 4), "in").addLayer("a-max", maxPool(2), "a")
                .addLayer("b", conv(2, 3), "in").addLayer("b-max", maxPool(2), "b")
                .addVertex("merge", new MergeVertex(), "a-max", "b-max"), "merge");
    }

    /** in → conv 3x3 → pool 2 → conv 2x2 → pool 2 (12 → 10 → 5 → 4 → 2). */
    private static ComputationGraphConfiguration chain() {
        return finish(builder()
                .addLayer("c1", conv(3, 4), "in").addLayer("p1", maxPool(2), "c1")
                .addLayer("c2", conv(2, 5), "p1").addLayer("p2", maxPool(2), "c2"), "p2");
    }

    private static Network init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf.clone());
        g.init();
        return Network.of(g);
    }

    private static INDArray input(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, BATCH, 2, SIZE, SIZE).subi(0.4);
    }

    private static DataSet batch(long seed) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 4);
        for (int i = 0; i < BATCH; i++) y.putScalar(i, i % 4, 1.0);
        return new DataSet(input(seed), y);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shapes");
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + " differ by " + diff + " (largest value " + scale + ")");
    }

    private static long fusedVertices(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ConvPoolRelu).count();
    }

    /** Parameter names and shapes in the order of the parameter vector (paramTable's views, by their offset in it). */
    private static List<String> layout(Network n) {
        return n.paramTable().entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().offset()))
                .map(e -> e.getKey() + Arrays.toString(e.getValue().shape()) + "@" + e.getValue().offset())
                .toList();
    }

    /** {@code conf} fuses {@code blocks} blocks into a network of the same function, parameters and training steps. */
    private static void assertFusesToTheSameNetwork(ComputationGraphConfiguration conf, int blocks) {
        Network standard = init(conf);
        Network fused = standard.forBackend();
        ComputationGraphConfiguration fusedConf = ((Network.Graph) fused).dl4j().getConfiguration();
        assertTrue(fused.config().isFused(), "fused on the CPU backend");
        assertEquals(blocks, fusedVertices(fusedConf), "fused vertices");
        assertEquals(conf.getVertices().size() - blocks, fusedConf.getVertices().size(), "the pooling vertices are gone");
        assertEquals(layout(standard), layout(fused), "parameter names and shapes, in order");
        assertEquals(standard.params(), fused.params(), "the same parameter vector");

        INDArray x = input(21);
        assertClose(standard.output(x), fused.output(x), 1e-5, "outputs");
        DataSet data = batch(21);
        for (Network n : List.of(standard, fused)) {
            ((Network.Graph) n).dl4j().setInputs(data.getFeatures());
            ((Network.Graph) n).dl4j().setLabels(data.getLabels());
            ((Network.Graph) n).dl4j().computeGradientAndScore();
        }
        assertEquals(standard.score(), fused.score(), 1e-5, "loss");
        INDArray g = ((Network.Graph) standard).dl4j().gradient().gradient();
        assertTrue(g.amaxNumber().doubleValue() > 0);
        assertClose(g, ((Network.Graph) fused).dl4j().gradient().gradient(), 1e-4, "gradients");

        standard.fit(data);
        fused.fit(data);
        assertClose(standard.params(), fused.params(), 1e-4, "parameters after a step");
        assertClose(standard.updaterState(), fused.updaterState(), 1e-4, "updater state after a step");

        // and back: DL4J's layers only, the same function
        ComputationGraphConfiguration back = FusedGraph.standard(fusedConf);
        assertEquals(0, fusedVertices(back), "no fused vertex left");
        assertEquals(conf.getVertices().size(), back.getVertices().size(), "a pooling vertex for each fused one");
        Network backNet = NetworkConfig.of(back).init(fused.params().dup());
        assertClose(fused.output(x), backNet.output(x), 1e-5, "outputs of the fused graph and of its standard form");
    }

    @Test
    void aTwoBranchGraphIsFused() {
        assertFusesToTheSameNetwork(twoBranches(), 2);
    }

    @Test
    void aChainOfBlocksIsFused() {
        assertFusesToTheSameNetwork(chain(), 2);
    }

    @Test
    void parametersUpdaterStateAndCountsRoundTripThroughBothForms() {
        Network fused = init(twoBranches()).forBackend();
        assertTrue(fused.config().isFused());
        fused.fit(batch(3));
        fused.fit(batch(4));
        fused.setCounts(fused.iterationCount(), 3);
        Network standard = fused.standard();
        assertFalse(standard.config().isFused(), "saved in DL4J's layers");
        assertEquals(twoBranches().getVertices().size(), ((Network.Graph) standard).dl4j().getConfiguration().getVertices().size());
        assertEquals(fused.params(), standard.params());
        assertNotNull(fused.updaterState(), "Adam keeps moments");
        assertEquals(fused.updaterState(), standard.updaterState());
        assertEquals(2, standard.iterationCount());
        assertEquals(3, standard.epochCount());
        INDArray x = input(9);
        assertClose(fused.output(x), standard.output(x), 1e-5, "outputs");
        // and forward again: the same training step from the same state
        Network again = standard.forBackend();
        assertTrue(again.config().isFused());
        fused.fit(batch(5));
        again.fit(batch(5));
        assertClose(fused.params(), again.params(), 1e-5, "parameters after one more step");
    }

    @Test
    void aConvolutionWithAnotherConsumerIsNotFused() {
        ComputationGraphConfiguration twoConsumers = finish(builder()
                .addLayer("a", conv(3, 4), "in").addLayer("max1", maxPool(2), "a").addLayer("max2", maxPool(2), "a")
                .addVertex("merge", new MergeVertex(), "max1", "max2"), "merge");
        assertSame(twoConsumers, FusedGraph.fuse(twoConsumers));
        assertFalse(init(twoConsumers).forBackend().config().isFused());

        ComputationGraphConfiguration identity = finish(builder()
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(), "in")
                .addLayer("max", maxPool(2), "a"), "max");
        assertSame(identity, FusedGraph.fuse(identity), "no ReLU on the convolution");

        ComputationGraphConfiguration inDouble = chain();
        inDouble.setDataType(DataType.DOUBLE);
        assertSame(inDouble, FusedGraph.fuse(inDouble), "the fused kernels compute in float only");
    }

    @Test
    void aRewriteThatWouldReorderTheParametersIsNotMade() {
        // in → a → a-max → a2 and in → b → b2: without a-max, DL4J's topological sort reaches a2 before b2
        // (a, b, a2, b2 instead of a, b, b2, a2), so the parameter vectors of the two forms would differ.
        ComputationGraphConfiguration conf = finish(builder()
                .addLayer("a", conv(3, 4), "in").addLayer("a-max", maxPool(2), "a").addLayer("a2", conv(2, 3), "a-max")
                .addLayer("b", conv(3, 4), "in").addLayer("b2", conv(7, 3), "b")
                .addVertex("merge", new MergeVertex(), "a2", "b2"), "merge");
        ComputationGraphConfiguration rewritten = finish(builder()
                .addLayer("a", new ConvPoolRelu.Builder(3, 2).nOut(4).build(), "in").addLayer("a2", conv(2, 3), "a")
                .addLayer("b", conv(3, 4), "in").addLayer("b2", conv(7, 3), "b")
                .addVertex("merge", new MergeVertex(), "a2", "b2"), "merge");
        Network net = init(conf);
        assertNotEquals(layout(net), layout(init(rewritten)), "the rewrite would reorder the parameters");
        assertSame(conf, FusedGraph.fuse(conf));
        assertFalse(net.forBackend().config().isFused(), "no layer fused");
        assertEquals(layout(net), layout(net.forBackend()));

        // another block in the same graph is still fused
        ComputationGraphConfiguration withAnother = finish(builder()
                .addLayer("a", conv(3, 4), "in").addLayer("a-max", maxPool(2), "a").addLayer("a2", conv(2, 3), "a-max")
                .addLayer("b", conv(3, 4), "in").addLayer("b2", conv(7, 3), "b")
                .addVertex("merge", new MergeVertex(), "a2", "b2")
                .addLayer("c", conv(1, 5), "merge").addLayer("c-max", maxPool(2), "c"), "c-max");
        ComputationGraphConfiguration fused = FusedGraph.fuse(withAnother);
        assertEquals(1, fusedVertices(fused));
        assertInstanceOf(ConvPoolRelu.class, ((LayerVertex) fused.getVertices().get("c")).getLayerConf().getLayer());
        assertInstanceOf(ConvolutionLayer.class, ((LayerVertex) fused.getVertices().get("a")).getLayerConf().getLayer());
        Network standard = init(withAnother);
        Network fusedNet = standard.forBackend();
        assertEquals(layout(standard), layout(fusedNet));
        INDArray x = input(4);
        assertClose(standard.output(x), fusedNet.output(x), 1e-5, "outputs");
    }

    @Test
    void thePoolingVertexGetsItsNameBackAndANameClashIsAvoided() {
        ComputationGraphConfiguration taken = builder()
                .addLayer("c", conv(3, 4), "in").addLayer("p", maxPool(2), "c")
                .addLayer("c-pool", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "p")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "c-pool")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 2, CNN2DFormat.NCHW))
                .build();
        ComputationGraphConfiguration fused = FusedGraph.fuse(taken);
        assertTrue(FusedGraph.isFused(fused));
        assertEquals(List.of("c"), fused.getVertexInputs().get("c-pool"), "the dense layer takes the fused vertex");
        ComputationGraphConfiguration back = FusedGraph.standard(fused);
        assertFalse(FusedGraph.isFused(back));
        assertEquals(List.of("c"), back.getVertexInputs().get("p"), back.toJson());
        assertEquals(List.of("p"), back.getVertexInputs().get("c-pool"));
        // A fused layer that does not know its pooling layer's name (as one built by hand) gets <name>-pool,
        // here taken already: the next free name.
        ComputationGraphConfiguration anonymous = fused.clone();
        var vertex = (LayerVertex) anonymous.getVertices().get("c");
        var f = (ConvPoolRelu) vertex.getLayerConf().getLayer();
        vertex.getLayerConf().setLayer(new ConvPoolRelu.Builder(f.getKernel(), f.getPool()).nIn(f.getNIn())
                .nOut(f.getNOut()).name("c").build());
        ComputationGraphConfiguration renamed = FusedGraph.standard(anonymous);
        assertEquals(List.of("c"), renamed.getVertexInputs().get("c-pool-2"), renamed.toJson());
        assertEquals(List.of("c-pool-2"), renamed.getVertexInputs().get("c-pool"));
        INDArray x = input(2);
        Network original = init(taken);
        assertClose(original.output(x), NetworkConfig.of(back).init(original.params().dup()).output(x), 1e-5, "outputs");
    }

    @Test
    void aFusedGraphIsSavedInDl4jsLayersAndTravelsAsJson(@TempDir Path dir) throws Exception {
        Network fused = init(twoBranches()).forBackend();
        assertTrue(fused.config().isFused());
        fused.fit(batch(7));
        INDArray x = input(8);

        // to executors: the fused form's JSON parses back to the same network
        NetworkConfig sent = NetworkConfig.fromTrustedJson(fused.config().toJson());
        assertTrue(sent.isFused());
        assertEquals(fused.output(x), sent.init(fused.params().dup()).output(x));

        Path zip = dir.resolve("model.zip");
        try (OutputStream out = Files.newOutputStream(zip)) {
            ModelStore.write(fused, out);
        }
        ComputationGraph plain = ModelSerializer.restoreComputationGraph(zip.toFile(), true);
        // the pooling vertices' own names are not kept by the fused layer; the parameters' names are
        assertEquals(Set.copyOf(twoBranches().getVertices().keySet()),
                Set.copyOf(plain.getConfiguration().getVertices().keySet()), "the original vertices, by name");
        assertEquals(init(twoBranches()).paramTable().keySet(), plain.paramTable().keySet());
        assertFalse(FusedGraph.isFused(plain.getConfiguration()));
        assertEquals(fused.params(), plain.params());
        assertEquals(fused.updaterState(), plain.getUpdater().getStateViewArray());
        assertClose(fused.output(x), plain.outputSingle(x), 1e-5, "outputs of the fused graph and of the saved one");
        Network loaded;
        try (var in = Files.newInputStream(zip)) {
            loaded = ModelStore.read(zip.toString(), in);
        }
        assertTrue(loaded.forBackend().config().isFused(), "fused again for training");
    }
}
