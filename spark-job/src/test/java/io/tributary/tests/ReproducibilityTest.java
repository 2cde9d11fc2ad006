package io.tributary.tests;

import io.tributary.common.model.Network;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.config.ConfigLoader;
import io.tributary.job.train.TrainJob;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Same data, config and seed on local[1] give an identical model; another seed gives another. */
@Tag("heavy")
class ReproducibilityTest {
    @TempDir
    Path tmp;

    private MultiLayerNetwork train(Path data, String run, long seed) throws Exception {
        Map<String, Object> flags = new HashMap<>();
        flags.put("data", data.toString());
        flags.put("output", tmp.resolve(run).toString());
        flags.put("master", "local[1]");
        flags.put("batch-size-per-worker", 32);
        flags.put("averaging-frequency", 3);
        flags.put("seed", seed);
        return ((Network.Stack) new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()),
                false).run().model()).dl4j();
    }

    @Test
    void sameSeedGivesIdenticalModel() throws Exception {
        Path data = IdxFixtures.writeLearnable(tmp.resolve("data"), 400, 100, 28, 5, true);
        MultiLayerNetwork a = train(data, "a", 7);
        MultiLayerNetwork b = train(data, "b", 7);
        MultiLayerNetwork c = train(data, "c", 8);
        assertEquals(a.params(), b.params(), "same seed, same model");
        assertNotEquals(a.params(), c.params(), "another seed, another model");
    }
}
