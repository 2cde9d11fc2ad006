package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ModelSizeTest {
    /** The seed CNN in DL4J's layers ({@code fused == false}) or as the CPU runs it. */
    private static MultiLayerConfiguration seedCnn(int side, boolean fused) {
        MultiLayerConfiguration standard = ModelZoo.seedCnn(new InputShape(1, side, side), 10, 1e-3, 1);
        return fused ? FusedStack.fuse(standard) : standard;
    }

    @Test
    void countsWhatInitializingTheNetworkWouldAllocate() {
        for (boolean fused : new boolean[] {true, false}) {
            MultiLayerNetwork net = new MultiLayerNetwork(seedCnn(28, fused));
            net.init();
            assertEquals(net.numParams(), ModelSize.parameters(seedCnn(28, fused)), fused ? "fused" : "DL4J's layers");
        }
    }

    @Test
    void aHugeImageMakesAModelThatIsRefusedUnbuilt() {
        // 4096x4096 images: conv 32 channels, pooled to 2047x2047, then a dense layer of 128 over them.
        long expected = 32 * 9 + 32 + 32L * 2047 * 2047 * 128 + 128 + 128 * 10 + 10;
        assertEquals(expected, ModelSize.parameters(seedCnn(4096, true)));
        InputException e = assertThrows(InputException.class,
                () -> ModelSize.requireAtMost(NetworkConfig.of(seedCnn(4096, true)), 100_000_000, "seed-cnn for 4096x4096x1 images"));
        assertEquals("Model seed-cnn for 4096x4096x1 images has 17,163,097,802 parameters (65,472 MiB as floats, "
                + "before gradients and updater state), more than max-parameters 100,000,000; use smaller images "
                + "or raise max-parameters", e.getMessage());
        assertEquals(ModelSize.parameters(seedCnn(28, true)),
                ModelSize.requireAtMost(NetworkConfig.of(seedCnn(28, true)), 100_000_000, "seed-cnn for 28x28x1 images"));
    }
}
