package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.model.KerasAttackFiles;
import io.tributary.common.model.KerasModels;
import io.tributary.common.model.Network;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link KerasImport}: the network the import process writes and this JVM reads back is the one an
 * import in this JVM gives, parameter for parameter and output for output; a refusal in the import
 * process comes back as its one sentence; the temporary directory is gone afterwards; and the import
 * process gets neither this JVM's environment nor its other system properties.
 */
class KerasImportTest {
    private static final Path DIR = KerasAttackFiles.fixtures();
    private static final double LR = 0.005;
    private static final long MAX = TrainKeys.MAX_PARAMETERS.defaultValue();

    private static Network imported(String file) throws IOException {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return KerasImport.read("hdfs:///models/" + file, in, LR, MAX);
        }
    }

    @Test
    void theImportProcessGivesExactlyTheNetworkOfAnImportInThisJvm() throws IOException {
        for (String file : List.of("seed_cnn.h5", "two_branch.h5", "seed_cnn_no_training_config.h5")) {
            Network child = imported(file);
            Model here = KerasModels.read(file, DIR.resolve(file), LR, MAX);
            assertEquals(here.params(), child.params(), file + ": parameters");
            // DL4J's import seeds each layer with the time of the import; nothing else may differ.
            assertEquals(unseeded(Network.of(here).config().toJson()), unseeded(child.config().toJson()),
                    file + ": configuration");
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
            INDArray expected = here instanceof MultiLayerNetwork net ? net.output(x)
                    : ((ComputationGraph) here).outputSingle(x);
            assertEquals(expected, child.output(x), file + ": outputs");
        }
    }

    private static String unseeded(String json) {
        return json.replaceAll("\"seed\" : -?\\d+", "\"seed\" : 0");
    }

    @Test
    void aRefusalInTheImportProcessComesBackAsItsSentence() {
        InputException e = assertThrows(InputException.class, () -> imported("linear_no_training_config.h5"));
        assertTrue(e.getMessage().startsWith("Keras model hdfs:///models/linear_no_training_config.h5 was saved without"
                + " its training config and its output layer \"dense_1\""), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void theTemporaryDirectoryIsDeletedWhateverTheOutcome(@TempDir Path tmp) throws IOException {
        try (InputStream in = Files.newInputStream(DIR.resolve("two_branch.h5"))) {
            assertInstanceOf(ComputationGraph.class, KerasImport.read("two_branch.h5", in, LR, MAX, tmp).dl4j());
        }
        assertThrows(InputException.class, () -> KerasImport.read("hdfs:///x.h5", new ByteArrayInputStream(new byte[10]),
                LR, MAX, tmp));
        try (InputStream in = Files.newInputStream(DIR.resolve("linear_no_training_config.h5"))) {
            assertThrows(InputException.class, () -> KerasImport.read("linear.h5", in, LR, MAX, tmp));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void theImportProcessGetsNoSecretsFromThisJvm() {
        Map<String, String> env = ImportProcess.environment(Map.of("LANG", "C.UTF-8", "HADOOP_TOKEN_FILE_LOCATION",
                "/tmp/tokens", "AWS_SECRET_ACCESS_KEY", "k", "SPARK_AUTH_SECRET", "s", "LD_PRELOAD", "/x.so",
                "HDF5_PLUGIN_PATH", "/plugins"));
        assertEquals(Map.of("LANG", "C.UTF-8", "HDF5_PLUGIN_PATH", "", "HDF5_PLUGIN_PRELOAD", "::",
                "OMP_NUM_THREADS", "1"), env);
        System.setProperty("spark.authenticate.secret", "do-not-pass");
        try {
            List<String> cmd = new ImportProcess("m.h5", Path.of("/tmp/d"), 1000).command(Path.of("/tmp/d/request.txt"));
            assertTrue(cmd.stream().noneMatch(a -> a.contains("do-not-pass")), cmd.toString());
            assertTrue(cmd.contains("-Xmx" + ((ImportProcess.BASE_HEAP + 8000) >> 20) + "m"), cmd.toString());
            assertEquals(KerasImportMain.class.getName(), cmd.get(cmd.size() - 2));
        } finally {
            System.clearProperty("spark.authenticate.secret");
        }
    }
}
