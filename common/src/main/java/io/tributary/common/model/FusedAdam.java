package io.tributary.common.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * DL4J's {@link Adam}, the same configuration and the same state layout (the first moments, then the
 * second), whose update runs as one pass in Java's vector API ({@link FusedAdamUpdater}) instead of
 * ND4J's native op, which runs the element-wise arithmetic unvectorized: about 4 ms against 0.3 ms for the
 * reference CNN's 694,922 parameters on one core. Like {@link ConvPoolRelu} it is an execution detail:
 * {@link NetworkConfig#forBackend} puts it in place of every plain {@link Adam} of a FLOAT network on a CPU
 * backend and {@link NetworkConfig#standard} puts {@link Adam} back before anything is saved.
 */
public final class FusedAdam extends Adam {

    /** For Jackson, which reads the configuration that drivers send to executors. */
    public FusedAdam() {
    }

    FusedAdam(Adam adam) {
        super(adam.getLearningRate(), adam.getBeta1(), adam.getBeta2(), adam.getEpsilon());
        setLearningRateSchedule(adam.getLearningRateSchedule() == null ? null : adam.getLearningRateSchedule().clone());
    }

    /** The same configuration as DL4J's {@link Adam}. */
    Adam standard() {
        Adam adam = new Adam(getLearningRate(), getBeta1(), getBeta2(), getEpsilon());
        adam.setLearningRateSchedule(getLearningRateSchedule() == null ? null : getLearningRateSchedule().clone());
        return adam;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        // as Adam.instantiate: the state as one vector, the gradient half its length
        INDArray state = viewArray.reshape(viewArray.length());
        long[] gradientShape = state.shape().clone();
        gradientShape[0] /= 2;
        FusedAdamUpdater updater = new FusedAdamUpdater(this);
        updater.setStateViewArray(state, gradientShape, state.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        FusedAdamUpdater updater = new FusedAdamUpdater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public FusedAdam clone() {
        return new FusedAdam(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FusedAdam && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }

    /** Not equal to DL4J's {@link Adam} of the same values, so that a swapped configuration is a different one. */
    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FusedAdam;
    }

    /** {@code conf} with every plain {@link Adam} as a {@link FusedAdam} where it is FLOAT; {@code conf} itself when none. */
    static MultiLayerConfiguration fuse(MultiLayerConfiguration conf) {
        return conf.getDataType() == DataType.FLOAT ? swapped(conf, FusedAdam::fused) : conf;
    }

    /** {@code conf} with every {@link FusedAdam} as DL4J's {@link Adam}; {@code conf} itself when none. */
    static MultiLayerConfiguration standard(MultiLayerConfiguration conf) {
        return swapped(conf, FusedAdam::standard);
    }

    /** {@code conf} with every plain {@link Adam} as a {@link FusedAdam} where it is FLOAT; {@code conf} itself when none. */
    static ComputationGraphConfiguration fuse(ComputationGraphConfiguration conf) {
        return conf.getDataType() == DataType.FLOAT ? swapped(conf, FusedAdam::fused) : conf;
    }

    /** {@code conf} with every {@link FusedAdam} as DL4J's {@link Adam}; {@code conf} itself when none. */
    static ComputationGraphConfiguration standard(ComputationGraphConfiguration conf) {
        return swapped(conf, FusedAdam::standard);
    }

    private static IUpdater fused(IUpdater u) {
        return u != null && u.getClass() == Adam.class ? new FusedAdam((Adam) u) : u;
    }

    private static IUpdater standard(IUpdater u) {
        return u instanceof FusedAdam f ? f.standard() : u;
    }

    private static MultiLayerConfiguration swapped(MultiLayerConfiguration conf, UnaryOperator<IUpdater> swap) {
        if (conf.getConfs().stream().noneMatch(c -> changes(c, swap))
                || !conf.getConfs().stream().allMatch(c -> reachable(c.getLayer(), c))) {
            return conf;
        }
        MultiLayerConfiguration out = conf.clone();
        out.getConfs().forEach(c -> swap(c, swap));
        return out;
    }

    private static ComputationGraphConfiguration swapped(ComputationGraphConfiguration conf,
                                                         UnaryOperator<IUpdater> swap) {
        if (conf.getVertices().values().stream().noneMatch(v -> changes(layerConf(v), swap))
                || !conf.getVertices().values().stream().allMatch(FusedAdam::reachable)) {
            return conf;
        }
        ComputationGraphConfiguration out = conf.clone();
        out.getVertices().values().forEach(v -> swap(layerConf(v), swap));
        return out;
    }

    /**
     * Whether every updater of {@code layer} is one this swap reaches: a top-level {@link BaseLayer}'s, or
     * none (no parameters). A wrapper ({@code LastTimeStep}, {@code Bidirectional}) or a SameDiff layer keeps
     * its own {@link Adam}, and DL4J would group the parameters into other blocks around it (its blocks
     * follow updater equality, which would lay the updater state out differently in the two forms).
     * So where any such layer has parameters, no layer is swapped.
     */
    private static boolean reachable(Layer layer, NeuralNetConfiguration c) {
        return layer instanceof BaseLayer || layer.initializer().numParams(c) == 0;
    }

    private static boolean reachable(GraphVertex v) {
        NeuralNetConfiguration c = layerConf(v);
        return c != null ? reachable(c.getLayer(), c) : v.numParams(true) == 0;
    }

    private static NeuralNetConfiguration layerConf(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayerConf() : null;
    }

    private static boolean changes(NeuralNetConfiguration c, UnaryOperator<IUpdater> swap) {
        return c != null && c.getLayer() instanceof BaseLayer l
                && updaters(l).stream().anyMatch(u -> u != null && swap.apply(u) != u);
    }

    private static void swap(NeuralNetConfiguration c, UnaryOperator<IUpdater> swap) {
        if (c != null && c.getLayer() instanceof BaseLayer l) {
            l.setIUpdater(swap.apply(l.getIUpdater()));
            l.setBiasUpdater(swap.apply(l.getBiasUpdater()));
        }
    }

    private static List<IUpdater> updaters(BaseLayer l) {
        return Arrays.asList(l.getIUpdater(), l.getBiasUpdater());
    }
}
