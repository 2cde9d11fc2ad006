package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import io.tributary.common.model.OneCycle;
import org.apache.spark.SparkConf;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run is refused before its data is dealt when a round's results (each replica's parameters and Adam's
 * two moments) would not fit within {@code spark.driver.maxResultSize}, and only then; replicas train
 * the run's learning rate schedule over all its epochs' steps.
 */
class AveragingRoundsTest {
    private static final String LIMIT = "spark.driver.maxResultSize";

    @Test
    void theDriversResultLimitBoundsTheReplicas() {
        MultiLayerNetwork dl4j = new MultiLayerNetwork(ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10,
                3e-3, 42));
        dl4j.init();
        Network cnn = Network.of(dl4j);
        assertEquals(8_327_544, 12 * cnn.numParams(), "the reference CNN's parameters and Adam's moments, as floats");

        SparkConf byDefault = new SparkConf(false);
        AveragingRounds.requireResultRoom(byDefault, 128, cnn);
        InputException e = assertThrows(InputException.class, () -> AveragingRounds.requireResultRoom(byDefault, 129, cnn));
        assertTrue(e.getMessage().startsWith(LIMIT + " is 1g (1073741824 bytes), but averaging 129 replicas of this"
                + " model returns 129 results of 7.9 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains("set " + LIMIT + " to at least 1025m"), e.getMessage());

        SparkConf small = new SparkConf(false).set(LIMIT, "16m");
        AveragingRounds.requireResultRoom(small, 2, cnn);
        assertThrows(InputException.class, () -> AveragingRounds.requireResultRoom(small, 3, cnn));
        AveragingRounds.requireResultRoom(new SparkConf(false).set(LIMIT, "0"), 100_000, cnn);   // 0: no limit
    }

    @Test
    void replicasTrainOneCycleOverTheRunsStepsByDefault() {
        NetworkConfig cnn = NetworkConfig.of(ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-2, 42));
        ReplicaPlan plan = new ReplicaPlan(128, 20, 42, new int[] {30_001, 29_999});
        assertEquals(235, plan.steps(), "the larger replica's minibatches: 30,001 / 128, rounded up");
        TrainConfig threeEpochs = ConfigLoader.load(null, Map.of("data", "/d", "output", "/o", "epochs", 3));
        String json = AveragingRounds.replicaConfig(threeEpochs, plan, cnn, 0).toJson();
        assertTrue(json.contains(OneCycle.class.getName()) && json.contains("\"steps\" : 705"), json);
        assertTrue(json.contains("\"peak\" : 0.01") && json.contains("\"start\" : 0"), json);
        assertTrue(AveragingRounds.replicaConfig(threeEpochs, plan, cnn, 1_410).toJson().contains("\"start\" : 1410"),
                "a saved model's iteration count starts the cycle");

        TrainConfig constant = ConfigLoader.load(null, Map.of("data", "/d", "output", "/o", "lr-schedule", "constant"));
        assertEquals(cnn.toJson(), AveragingRounds.replicaConfig(constant, plan, cnn, 0).toJson());
        ReplicaPlan oneStep = new ReplicaPlan(128, 20, 42, new int[] {100});
        TrainConfig oneEpoch = ConfigLoader.load(null, Map.of("data", "/d", "output", "/o"));
        assertEquals(cnn.toJson(), AveragingRounds.replicaConfig(oneEpoch, oneStep, cnn, 0).toJson(),
                "a single step makes no cycle");
    }
}
