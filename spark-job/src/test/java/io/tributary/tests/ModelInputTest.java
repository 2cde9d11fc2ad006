package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every model that cannot be used is refused before Spark starts, with exit 2, one sentence naming
 * the file and the rule, and no output: malformed or foreign JSON, a configuration naming a class
 * outside DL4J, a Keras 3 archive, a file that is not HDF5, a truncated HDF5 file, a zoo name that
 * does not exist, a missing file, and models whose input or classes do not fit the data.
 */
class ModelInputTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 60, 20, 28, 3, true);
    }

    private static CheckpointResumeTest.Run run(String... args) {
        return CheckpointResumeTest.cli(args);
    }

    /** Trains with {@code --model model} and expects exit 2 with {@code expected} in one line, no stack trace, no output. */
    private static void refused(String name, String model, String... expected) {
        Path out = tmp.resolve("out-" + name);
        CheckpointResumeTest.Run r = run("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[1]", "--model", model);
        assertEquals(2, r.code(), name + ": " + r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), name + ": expected <" + e + "> in:\n" + r.err());
        }
        assertFalse(Cli.hasStackTrace(r.err()), name + ": no stack trace without --verbose:\n" + r.err());
        assertEquals(1, r.err().strip().lines().count(), name + ": one sentence:\n" + r.err());
        assertFalse(Files.exists(out), name + ": nothing written");
    }

    private static String file(String name, String content) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p.toString();
    }

    @Test
    void malformedOrForeignJsonIsRefused() throws Exception {
        String malformed = file("malformed.json", "{\"confs\": [ {\"layer\": ");
        refused("malformed", malformed, "Model configuration " + "file:" + malformed, "is not valid JSON");
        String foreign = file("foreign.json", "{\"name\": \"not a network\", \"layers\": 3}");
        refused("foreign", foreign, "is not a DL4J network configuration");
        String gadget = file("gadget.json", "{\"confs\": [{\"layer\": {\"@class\": \"java.net.URL\"}}]}");
        refused("gadget", gadget, "names class \"java.net.URL\"", "may only name classes in org.deeplearning4j.*");
    }

    /** The Keras fixtures written by common's generate_fixtures.py. */
    static final Path KERAS = Path.of("..", "common", "src", "test", "resources", "keras").toAbsolutePath().normalize();

    @Test
    void kerasFilesThatAreNotHdf5OrTruncatedOrUnsupportedAreRefused() throws Exception {
        String text = file("text.h5", "this is not an HDF5 file");
        refused("not-hdf5", text, "text.h5", "HDF5");
        Path truncated = tmp.resolve("truncated.h5");
        byte[] whole = Files.readAllBytes(KERAS.resolve("seed_cnn.h5"));
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        refused("truncated", truncated.toString(), "truncated.h5", "is a truncated HDF5 file");
        refused("unsupported", KERAS.resolve("unsupported_layer.h5").toString(), "unsupported_layer.h5",
                "layer_normalization");
        refused("no-training-config", KERAS.resolve("linear_no_training_config.h5").toString(),
                "linear_no_training_config.h5", "dense_1");
    }

    @Test
    void aBadModelLeavesAnExistingRunAsItWasEvenWithOverwrite() throws Exception {
        Path out = tmp.resolve("existing");
        CheckpointResumeTest.Run first = run("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[1]", "--checkpoint-every-steps", "1");
        assertEquals(0, first.code(), first.err());
        byte[] model = Files.readAllBytes(out.resolve("model.zip"));
        long checkpoints;
        try (var files = Files.list(out.resolve("checkpoints"))) {
            checkpoints = files.count();
        }
        assertTrue(checkpoints > 0);
        String malformed = file("overwrite-malformed.json", "{\"confs\": [");
        CheckpointResumeTest.Run r = run("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[1]", "--overwrite", "--model", malformed);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is not valid JSON"), r.err());
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.zip")), "the run's model is untouched");
        try (var files = Files.list(out.resolve("checkpoints"))) {
            assertEquals(checkpoints, files.count(), "the run's checkpoints are untouched");
        }
    }

    @Test
    void aZooNameThatDoesNotExistListsTheNames() {
        refused("zoo", "resnet9000", "Invalid value \"resnet9000\" for configuration model",
                "seed-cnn, lenet5, mlp, vgg-small");
    }

    @Test
    void missingFilesAndKeras3ArchivesAreRefused() throws Exception {
        refused("missing", tmp.resolve("nope.zip").toString(), "nope.zip does not exist");
        refused("missing-json", tmp.resolve("nope.json").toString(), "nope.json does not exist");
        String keras3 = file("model.keras", "PK");
        refused("keras3", keras3, "is a Keras 3 .keras archive", "model.save(\"model.h5\")");
    }

    @Test
    void aModelWhoseInputOrClassesDoNotFitTheDataIsRefusedNamingBothShapes() throws Exception {
        String rgb = file("rgb.json", new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(32, 32, 3)).build().toJson());
        refused("channels", rgb, "have shape 1,28,28 (C,H,W), which DL4J configuration", "it takes images with 3 channels");
        String dense = file("dense.json", new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(32, 32, 1)).build().toJson());
        refused("size", dense, "have shape 1,28,28 (C,H,W)", "it takes images of 1,32,32 (C,H,W)");
        String fiveClasses = file("five.json", new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build().toJson());
        refused("classes", fiveClasses, "predicts 5 classes but the data in", "has 10");
    }
}
