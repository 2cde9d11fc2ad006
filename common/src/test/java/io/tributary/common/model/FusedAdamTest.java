package io.tributary.common.model;

import io.tributary.common.config.InputShape;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** FusedAdam updates as ND4J's Adam op does, and is swapped in and out of configurations without a trace. */
class FusedAdamTest {

    @Test
    void updatesAsNd4jsAdamOnViewsOverIterations() {
        Adam adam = new Adam(3e-3, 0.9, 0.999, 1e-8);
        adam.setLearningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 3e-3, 0.9));
        // an odd length, so that the pass has a tail after its vectors; views at an offset into larger arrays
        int n = 1_003;
        INDArray stateA = Nd4j.zeros(DataType.FLOAT, 1, 2 * n + 10);
        INDArray stateB = stateA.dup();
        GradientUpdater<?> standard = adam.instantiate(view(stateA, 5, 2 * n), true);
        GradientUpdater<?> fused = new FusedAdam(adam).instantiate(view(stateB, 5, 2 * n), true);
        assertInstanceOf(FusedAdamUpdater.class, fused);
        assertEquals(AdamUpdater.class, standard.getClass());
        Nd4j.getRandom().setSeed(7);
        for (int iteration = 0; iteration < 5; iteration++) {
            INDArray gradients = Nd4j.randn(DataType.FLOAT, 1, n + 7);
            INDArray a = view(gradients.dup(), 3, n);
            INDArray b = view(gradients.dup(), 3, n);
            assertTrue(((FusedAdamUpdater) fused).vectorPass(b), "the vector pass runs, not ND4J's op");
            standard.applyUpdater(a, iteration, 0);
            fused.applyUpdater(b, iteration, 0);
            assertClose(a, b, "update at iteration " + iteration);
            assertClose(view(stateA, 5, n), view(stateB, 5, n), "first moments at iteration " + iteration);
            assertClose(view(stateA, 5 + n, n), view(stateB, 5 + n, n), "second moments at iteration " + iteration);
            assertTrue(a.amaxNumber().doubleValue() > 1e-4, "a non-trivial update");
        }
    }

    @Test
    void swapsInForTheBackendAndOutForSaving() {
        MultiLayerConfiguration built = ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-3, 42);
        MultiLayerConfiguration run = FusedStack.forBackend(built);
        long fusedUpdaters = run.getConfs().stream().filter(c -> c.getLayer() instanceof BaseLayer l
                && l.getIUpdater() instanceof FusedAdam).count();
        assertEquals(3, fusedUpdaters, "the three layers with parameters run FusedAdam");
        // what drivers send to executors: the configuration as JSON
        MultiLayerConfiguration sent = MultiLayerConfiguration.fromJson(run.toJson());
        assertEquals(run, sent);
        MultiLayerConfiguration saved = FusedStack.standard(sent);
        assertEquals(updaters(built), updaters(saved));
        assertTrue(updaters(saved).stream().allMatch(u -> u.getClass() == Adam.class), "DL4J's Adam: " + updaters(saved));
        assertFalse(saved.toJson().contains("FusedAdam"), "what is saved names DL4J's Adam only");
        assertNotEquals(saved, run, "a configuration with FusedAdam is a different one");
    }

    @Test
    void aGraphRunsFusedAdamAndIsSavedWithAdam() {
        ComputationGraphConfiguration built = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3))
                .graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraphConfiguration run = FusedGraph.forBackend(built);
        assertTrue(run.toJson().contains(FusedAdam.class.getName()), "run with FusedAdam");
        ComputationGraphConfiguration saved = FusedGraph.standard(ComputationGraphConfiguration.fromJson(run.toJson()));
        assertFalse(saved.toJson().contains("FusedAdam"), "saved with DL4J's Adam");
        assertEquals(built, saved);
    }

    /**
     * A wrapped layer keeps its own Adam out of the swap's reach; swapping the others would split DL4J's
     * updater blocks differently in the two forms and scramble the saved updater state, so none is swapped.
     */
    @Test
    void noLayerIsSwappedWhereAWrappedLayerHasParameters() {
        MultiLayerConfiguration built = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new LastTimeStep(new LSTM.Builder().nOut(6).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(4)).build();
        MultiLayerConfiguration run = FusedStack.forBackend(built);
        assertFalse(run.toJson().contains("FusedAdam"), "no FusedAdam beside a wrapped layer");
        assertEquals(built, run);
    }

    private static List<IUpdater> updaters(MultiLayerConfiguration conf) {
        return conf.getConfs().stream().filter(c -> c.getLayer() instanceof BaseLayer)
                .flatMap(c -> Stream.of(((BaseLayer) c.getLayer()).getIUpdater(), ((BaseLayer) c.getLayer()).getBiasUpdater()))
                .filter(Objects::nonNull).toList();
    }

    private static INDArray view(INDArray row, int from, int length) {
        return row.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + length)).reshape(1, length);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": differs by " + diff + " (largest value " + scale + ")");
    }
}
