package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.model.Network;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each source {@code --model} accepts trains in {@code local[2]} and learns: the zoo's lenet5, mlp
 * (with --hidden) and vgg-small, a DL4J configuration JSON, the Keras seed model (HDF5), and a
 * model.zip trained further on new data (fine-tuning continues its updates).
 */
@Tag("heavy")
class ModelSourcesTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 2000, 300, 28, 31, true);
    }

    /** Trains {@code --model model} for one epoch and returns the run directory. */
    static Path trained(String name, Path dataDir, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--data", dataDir.toString(), "--output", out.toString(),
                "--master", "local[2]", "--batch-size-per-worker", "32", "--averaging-frequency", "5"));
        args.addAll(List.of(extra));
        CheckpointResumeTest.Run r = CheckpointResumeTest.cli(args.toArray(new String[0]));
        assertEquals(0, r.code(), name + ": " + r.err());
        return out;
    }

    static double accuracy(Path run) throws Exception {
        return ((Number) CheckpointResumeTest.metrics(run).get("test_accuracy")).doubleValue();
    }

    static void learns(String name, String... extra) throws Exception {
        Path run = trained(name, data, extra);
        assertTrue(accuracy(run) > 0.8, name + ": test accuracy " + accuracy(run) + " (chance 0.1)");
    }

    @Test
    void zooModelsLearn() throws Exception {
        learns("lenet5", "--model", "lenet5", "--epochs", "2");
        learns("vgg-small", "--model", "vgg-small", "--epochs", "2");
        Path mlp = trained("mlp", data, "--model", "mlp", "--hidden", "64,32", "--epochs", "2");
        assertTrue(accuracy(mlp) > 0.8, "mlp: test accuracy " + accuracy(mlp));
        // 784*64+64 + 64*32+32 + 32*10+10
        assertEquals(784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10, CheckpointResumeTest.model(mlp).numParams());
    }

    @Test
    void aDl4jConfigurationFileLearns() throws Exception {
        Path json = tmp.resolve("dense.json");
        Files.writeString(json, new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build().toJson());
        learns("json", "--model", json.toString(), "--epochs", "2");
    }

    @Test
    void theKerasSeedModelLearnsAndRunsFused() throws Exception {
        Path run = trained("keras", data, "--model", ModelInputTest.KERAS.resolve("seed_cnn.h5").toString());
        assertTrue(accuracy(run) > 0.8, "keras: test accuracy " + accuracy(run));
        Network saved = CheckpointResumeTest.model(run);
        assertEquals(693_962, saved.numParams(), "the seed model's parameters");
        assertFalse(saved.config().isFused(), "saved in DL4J's standard layers");
        assertTrue(saved.config().forBackend().isFused(), "its convolution block fuses for training");
    }

    @Test
    void aModelZipIsTrainedFurtherOnNewData() throws Exception {
        Path base = trained("base", data, "--train-examples", "500");
        Network before = CheckpointResumeTest.model(base);
        Path other = IdxFixtures.writeLearnable(tmp.resolve("new-data"), 1000, 300, 28, 77, true);
        Path tuned = trained("tuned", other, "--model", base.resolve("model.zip").toString());
        Network after = CheckpointResumeTest.model(tuned);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> epochs = (List<Map<String, Object>>) CheckpointResumeTest.metrics(tuned).get("epochs");
        assertEquals(1, epochs.size());
        // The same run from a fresh network makes as many updates: fine-tuning adds them to the saved model's.
        Path fresh = trained("fresh", other);
        assertEquals(before.iterationCount() + CheckpointResumeTest.model(fresh).iterationCount(), after.iterationCount(),
                "updates continue from the saved model's " + before.iterationCount());
        assertNotEquals(CheckpointResumeTest.model(fresh).params(), after.params(), "it started from the saved weights");
        assertTrue(accuracy(tuned) >= 0.8, "fine-tuned accuracy " + accuracy(tuned));
        // A run directory names its model.zip too (as a registry version's directory does).
        Path again = trained("tuned-from-dir", other, "--model", tuned.toString(), "--train-examples", "200");
        assertTrue(CheckpointResumeTest.model(again).iterationCount() > after.iterationCount());
    }
}
