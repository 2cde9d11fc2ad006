package io.tributary.tests;

import io.tributary.common.config.ConfigLoader;
import io.tributary.job.train.TrainJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Parameter averaging gives the same model bytes whatever runs its replicas: the same data, config, seed
 * and replicas in {@code local[2]} and {@code local[3]}, and with a task failed on purpose on its first
 * attempt and retried, give a byte-identical {@code coefficients.bin}; another seed gives another model.
 * (The standalone cluster, executors joining and leaving, and killed drivers: {@code ElasticAveragingIT}.)
 */
@Tag("heavy")
class ReproducibilityTest {
    static final String FASHION = "/usr/share/datasets/fashion-mnist";
    /** The property that fails one replica's task on its first attempt (EPOCH/ROUND/REPLICA). */
    static final String FAIL_FIRST_ATTEMPT = "tributary.fail-first-attempt";

    @TempDir
    static Path tmp;
    static String reference;

    static Path train(String run, String master, long seed) throws Exception {
        Map<String, Object> flags = new HashMap<>();
        flags.put("data", FASHION);
        flags.put("output", tmp.resolve(run).toString());
        flags.put("master", master);
        flags.put("train-examples", 3000);
        flags.put("test-examples", 500);
        flags.put("epochs", 2);
        flags.put("batch-size-per-worker", 32);
        flags.put("averaging-frequency", 5);
        flags.put("replicas", 3);
        flags.put("seed", seed);
        new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()), false).run();
        return tmp.resolve(run).resolve("model.zip");
    }

    static String coefficients(Path model) throws IOException {
        return ModelBytes.coefficients(model);
    }

    @BeforeAll
    static void trainInLocalTwo() throws Exception {
        reference = coefficients(train("local2", "local[2]", 7));
        System.out.println("coefficients.bin sha256, 3 replicas, seed 7, local[2]: " + reference);
    }

    @Test
    void localThreeGivesTheSameBytesAndAnotherSeedOthers() throws Exception {
        String three = coefficients(train("local3", "local[3]", 7));
        System.out.println("coefficients.bin sha256, 3 replicas, seed 7, local[3]: " + three);
        assertEquals(reference, three, "local[3] and local[2]: the same model bytes");
        String otherSeed = coefficients(train("seed8", "local[2]", 8));
        System.out.println("coefficients.bin sha256, 3 replicas, seed 8, local[2]: " + otherSeed);
        assertNotEquals(reference, otherSeed, "another seed, another model");
    }

    @Test
    void aTaskFailedOnItsFirstAttemptAndRetriedChangesNothing() throws Exception {
        System.setProperty(FAIL_FIRST_ATTEMPT, "1/2/1");
        try {
            // Without retries (local[3] allows one attempt) the injected failure fails the run: it happens.
            Exception failed = assertThrows(Exception.class, () -> train("no-retry", "local[3]", 7));
            assertTrue(String.valueOf(failed.getMessage()).contains("Failing replica 1 of round 2 of epoch 1 on its"
                    + " first attempt"), String.valueOf(failed.getMessage()));
            // local[3,2]: two attempts a task; the second recomputes the replica's round.
            String retried = coefficients(train("retried", "local[3,2]", 7));
            System.out.println("coefficients.bin sha256, 3 replicas, seed 7, local[3,2], a task retried: " + retried);
            assertEquals(reference, retried, "a retried task changes nothing");
        } finally {
            System.clearProperty(FAIL_FIRST_ATTEMPT);
        }
    }
}
