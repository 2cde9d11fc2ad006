package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.model.Network;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A computation graph (two convolution branches merged) given as DL4J configuration JSON trains like
 * a multi-layer network: with parameter averaging and with shared gradients, killed and resumed to
 * the same number of updates, saved as a graph that plain DL4J restores, evaluated, and retrained
 * into a registry (warm-started from its champion).
 */
@Tag("heavy")
class GraphTrainingTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path graphJson;
    static Path reference;

    /** input → two 3x3 convolution branches (8 and 4 filters) → max-pool each → merged → dense → softmax: both blocks run fused on a CPU. */
    static ComputationGraphConfiguration twoBranches() {
        return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(2e-3)).graphBuilder()
                .addInputs("image")
                .addLayer("conv3", new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.RELU).build(), "image")
                .addLayer("conv5", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.RELU).build(), "image")
                .addLayer("pool3", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        "conv3")
                .addLayer("pool5", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        "conv5")
                .addVertex("merged", new MergeVertex(), "pool3", "pool5")
                .addLayer("dense", new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build(), "merged")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(28, 28, 1))
                .build();
    }

    static List<String> trainArgs(Path out) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[2]", "--epochs", "2", "--batch-size-per-worker", "32", "--averaging-frequency", "2",
                "--checkpoint-every-steps", "1", "--model", graphJson.toString()));
    }

    @BeforeAll
    static void uninterrupted() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 3000, 300, 28, 23, true);
        graphJson = tmp.resolve("two-branches.json");
        Files.writeString(graphJson, twoBranches().toJson());
        reference = tmp.resolve("reference");
        CheckpointResumeTest.Run r = CheckpointResumeTest.cli(trainArgs(reference).toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aGraphTrainsWithParameterAveragingAndSavesAGraphPlainDl4jRestores() throws Exception {
        double accuracy = ((Number) CheckpointResumeTest.metrics(reference).get("test_accuracy")).doubleValue();
        assertTrue(accuracy > 0.8, "test accuracy " + accuracy);
        Network ours = CheckpointResumeTest.model(reference);
        assertInstanceOf(Network.Graph.class, ours);
        assertFalse(ours.config().isFused(), "saved in DL4J's standard layers");
        assertTrue(ours.config().forBackend().isFused(), "trained with its convolution blocks fused");
        ComputationGraph dl4j = ModelSerializer.restoreComputationGraph(reference.resolve("model.zip").toFile(), true);
        assertEquals(twoBranches().getVertices().keySet(), dl4j.getConfiguration().getVertices().keySet());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
        assertEquals(ours.output(x), dl4j.outputSingle(x));
        assertTrue(ours.iterationCount() > 0);
    }

    @Test
    void aGraphKilledMidEpochResumesToTheSameNumberOfUpdates() throws Exception {
        CheckpointResumeTest.killMidEpochAndResume(reference, tmp.resolve("killed"), GraphTrainingTest::trainArgs);
    }

    @Test
    void aGraphTrainsWithSharedGradients() throws Exception {
        Path out = tmp.resolve("shared");
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[2]", "--epochs", "1", "--batch-size-per-worker", "32", "--sync", "shared-gradients",
                "--model", graphJson.toString()));
        CheckpointResumeTest.Run r = CheckpointResumeTest.cli(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertInstanceOf(Network.Graph.class, CheckpointResumeTest.model(out));
        double accuracy = ((Number) CheckpointResumeTest.metrics(out).get("test_accuracy")).doubleValue();
        assertTrue(accuracy > 0.8, "test accuracy " + accuracy);
    }

    @Test
    void aGraphIsRetrainedIntoARegistryWarmStartedFromItsChampionAndEvaluated() throws Exception {
        String registry = "file://" + tmp.resolve("registry");
        for (int round = 1; round <= 2; round++) {
            List<String> args = new ArrayList<>(List.of("retrain", "--registry", registry, "--data", data.toString(),
                    "--master", "local[2]", "--batch-size-per-worker", "32", "--model", graphJson.toString(),
                    "--min-improvement", "0", "--force"));
            if (round == 2) {
                args.add("--warm-start");
            }
            CheckpointResumeTest.Run r = CheckpointResumeTest.cli(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
        }
        ModelRegistry reg = ModelRegistry.open(HadoopFs.resolve("registry", registry, new Configuration()), false);
        List<Map<String, Object>> history = reg.history().stream().map(HistoryEntry::toMap).toList();
        assertEquals(2, history.size(), history.toString());
        assertEquals(1, ((Number) history.get(1).get("warm_start_from")).intValue(), history.get(1).toString());
        assertEquals("promoted", history.get(0).get("decision"), history.toString());
        Object second = history.get(1).get("decision");
        assertTrue(second.equals("promoted") || second.equals("rejected"), history.toString());
        int championVersion = reg.champion().getAsInt();
        assertEquals(second.equals("promoted") ? 2 : 1, championVersion, history.toString());
        Path champion = Path.of(reg.versionDir(championVersion).path().toUri().getPath());
        assertInstanceOf(Network.Graph.class, CheckpointResumeTest.model(champion));

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        CheckpointResumeTest.Run evaluated;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            evaluated = CheckpointResumeTest.cli("evaluate", "--model", champion.toString(), "--data", data.toString(),
                    "--master", "local[2]");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, evaluated.code(), evaluated.err());
        Map<String, Object> report = Json.readMap(stdout.toByteArray());
        assertTrue(((Number) report.get("accuracy")).doubleValue() > 0.8, report.toString());
    }
}
