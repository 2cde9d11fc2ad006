package io.tributary.common.model;

import io.tributary.common.config.InputShape;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one-cycle schedule takes PyTorch's OneCycleLR values at its corners, rises then falls, and reaches
 * every updater of a configuration (wrapped layers too) through the JSON that executors read, with each
 * layer's own rate as its peak, leaving the configuration it was made from as it was.
 */
class OneCycleTest {

    @Test
    void startsAt25thOfThePeakPeaksAt30PercentAndEndsNearZero() {
        OneCycle c = new OneCycle(0.01, 0, 10);   // warm-up to step 0.3 * 10 - 1 = 2, as PyTorch counts
        assertEquals(0.0004, c.valueAt(0, 0), 1e-15);
        assertEquals((0.0004 + 0.01) / 2, c.valueAt(1, 0), 1e-15, "half way up a cosine: the mean");
        assertEquals(0.01, c.valueAt(2, 0), 1e-15);
        assertEquals(0.0004 / 1e4, c.valueAt(9, 0), 1e-18);
        assertEquals(0.0004 / 1e4, c.valueAt(50, 3), 1e-18, "after the cycle, its last rate");
        double previous = 0;
        for (int i = 0; i <= 2; i++) {
            assertTrue(c.valueAt(i, 0) > previous, "rising at " + i);
            previous = c.valueAt(i, 0);
        }
        for (int i = 3; i <= 9; i++) {
            assertTrue(c.valueAt(i, 0) < previous, "falling at " + i);
            previous = c.valueAt(i, 0);
        }
        assertEquals(c.valueAt(5, 0), c.valueAt(5, 7), "a function of the iteration alone");
        OneCycle later = new OneCycle(0.01, 470, 10);   // a saved model that trained 470 steps before
        for (int i = 0; i < 12; i++) {
            assertEquals(c.valueAt(i, 0), later.valueAt(470 + i, 0), "step " + i + " of a cycle starting at 470");
        }
    }

    @Test
    void refusesAPeakOrLengthThatMakesNoCycle() {
        assertThrows(IllegalArgumentException.class, () -> new OneCycle(0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new OneCycle(Double.NaN, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new OneCycle(0.01, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new OneCycle(0.01, 0, 1));
    }

    @Test
    void reachesEveryUpdaterWithItsOwnRateThroughJson() {
        NetworkConfig plain = NetworkConfig.of(ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 3e-3, 1));
        NetworkConfig scheduled = NetworkConfig.fromTrustedJson(plain.withSchedule(r -> new OneCycle(r, 7, 100)).toJson());
        List<IUpdater> updaters = updaters(((NetworkConfig.Stack) scheduled).dl4j());
        assertEquals(3, updaters.size(), "conv, dense and output (their biases follow the same updater)");
        for (IUpdater u : updaters) {
            assertEquals(new OneCycle(3e-3, 7, 100), ((Adam) u).getLearningRateSchedule());
            assertEquals(3e-3 / 25, u.getLearningRate(7, 0), 1e-12);
        }
        for (IUpdater u : updaters(((NetworkConfig.Stack) plain).dl4j())) {
            assertNull(((Adam) u).getLearningRateSchedule(), "the configuration it was made from keeps its rate");
        }
        NetworkConfig fused = NetworkConfig.fromTrustedJson(scheduled.forBackend().toJson());
        assertTrue(fused.isFused() && fused.toJson().contains(OneCycle.class.getName()),
                "the fused form, which replicas train, keeps it");
        NetworkConfig standard = fused.standard();
        assertFalse(standard.isFused());
        for (IUpdater u : updaters(((NetworkConfig.Stack) standard).dl4j())) {
            assertEquals(Adam.class, u.getClass(), "DL4J's own Adam in the standard form");
            assertEquals(new OneCycle(3e-3, 7, 100), ((Adam) u).getLearningRateSchedule(), "with the schedule");
        }
    }

    @Test
    void reachesWrappedLayersAndLeavesUpdatersWithoutARate() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1)).list()
                .layer(new LastTimeStep(new LSTM.Builder().nIn(3).nOut(4).updater(new Adam(2e-3)).build()))
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        String before = conf.toJson();
        MultiLayerConfiguration out = ((NetworkConfig.Stack) NetworkConfig.of(conf)
                .withSchedule(r -> new OneCycle(r, 0, 10))).dl4j();
        BaseLayer lstm = (BaseLayer) ((LastTimeStep) out.getConf(0).getLayer()).getUnderlying();
        assertEquals(new OneCycle(2e-3, 0, 10), ((Adam) lstm.getIUpdater()).getLearningRateSchedule());
        BaseLayer dense = (BaseLayer) out.getConf(1).getLayer();
        assertEquals(new OneCycle(0.1, 0, 10), ((Sgd) dense.getIUpdater()).getLearningRateSchedule());
        assertEquals(before, conf.toJson(), "the wrapped layer of the configuration it was made from is untouched");
    }

    private static List<IUpdater> updaters(MultiLayerConfiguration conf) {
        List<IUpdater> out = new ArrayList<>();
        conf.getConfs().forEach(c -> {
            if (c.getLayer() instanceof BaseLayer l && l.initializer().numParams(c) > 0) {
                out.add(l.getIUpdater());
                if (l.getBiasUpdater() != null) {
                    out.add(l.getBiasUpdater());
                }
            }
        });
        return out;
    }
}
