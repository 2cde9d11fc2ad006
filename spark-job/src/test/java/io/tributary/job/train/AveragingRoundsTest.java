package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.Network;
import org.apache.spark.SparkConf;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run is refused before its data is dealt when a round's results (each replica's parameters and Adam's
 * two moments) would not fit within {@code spark.driver.maxResultSize}, and only then.
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
}
