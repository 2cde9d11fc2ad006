package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Objects;

/**
 * The network being trained or scored: a DL4J {@link MultiLayerNetwork} or a {@link ComputationGraph}
 * with one input and one output, behind the operations Tributary needs (parameters, updater state,
 * counters, inference, a step of training, another form of the same function). Training, checkpoints,
 * evaluation, the registry and scoring use this class, never the two DL4J types.
 */
public final class Network {
    private final MultiLayerNetwork layers;
    private final ComputationGraph graph;

    private Network(MultiLayerNetwork layers, ComputationGraph graph) {
        this.layers = layers;
        this.graph = graph;
    }

    /** Wraps an initialised DL4J network; a graph must have one input and one output. */
    public static Network of(Model model) {
        if (model instanceof MultiLayerNetwork n) {
            return new Network(n, null);
        }
        if (model instanceof ComputationGraph g) {
            NetworkConfig.of(g.getConfiguration());   // one input, one output
            return new Network(null, g);
        }
        throw new IllegalArgumentException("not a MultiLayerNetwork or ComputationGraph: " + model.getClass().getName());
    }

    /** The DL4J network itself (a {@link MultiLayerNetwork} or a {@link ComputationGraph}). */
    public Model dl4j() {
        return graph != null ? graph : layers;
    }

    /** The stack of layers; {@link IllegalStateException} for a graph. */
    public MultiLayerNetwork layers() {
        if (layers == null) {
            throw new IllegalStateException("a computation graph is not a multi-layer network");
        }
        return layers;
    }

    /** The graph; {@link IllegalStateException} for a stack of layers. */
    public ComputationGraph graph() {
        if (graph == null) {
            throw new IllegalStateException("a multi-layer network is not a computation graph");
        }
        return graph;
    }

    public boolean isGraph() {
        return graph != null;
    }

    public NetworkConfig config() {
        return graph != null ? NetworkConfig.of(graph.getConfiguration())
                : NetworkConfig.of(layers.getLayerWiseConfigurations());
    }

    public INDArray params() {
        return dl4j().params();
    }

    public long numParams() {
        return dl4j().numParams();
    }

    public void setParams(INDArray params) {
        dl4j().setParams(params);
    }

    /** Parameters by name ({@code 0_W} in a stack, {@code conv_W} in a graph), views of {@link #params}. */
    public Map<String, INDArray> paramTable() {
        return dl4j().paramTable();
    }

    /** The updater's state (Adam's moments, ...) as one view; {@code null} when the updaters keep none. */
    public INDArray updaterState() {
        INDArray state = graph != null ? graph.getUpdater().getStateViewArray()
                : layers.getUpdater() == null ? null : layers.getUpdater().getStateViewArray();
        return state == null || state.length() == 0 ? null : state;
    }

    /** Replaces the updater's state: {@code state}'s values are copied into the updater's own view. */
    public void setUpdaterState(INDArray state) {
        if (graph != null) {
            graph.getUpdater().setStateViewArray(state);
        } else {
            layers.getUpdater().setStateViewArray(layers, state, false);
        }
    }

    public int iterationCount() {
        return graph != null ? graph.getConfiguration().getIterationCount() : layers.getIterationCount();
    }

    public int epochCount() {
        return graph != null ? graph.getConfiguration().getEpochCount() : layers.getEpochCount();
    }

    public void setCounts(int iterations, int epochs) {
        if (graph != null) {
            graph.getConfiguration().setIterationCount(iterations);
            graph.getConfiguration().setEpochCount(epochs);
        } else {
            layers.setIterationCount(iterations);
            layers.setEpochCount(epochs);
        }
    }

    /** The output (class probabilities) for {@code features}, in inference mode. */
    public INDArray output(INDArray features) {
        return graph != null ? graph.outputSingle(false, features) : layers.output(features, false);
    }

    /** One step of training on {@code batch}. */
    public void fit(DataSet batch) {
        if (graph != null) {
            graph.fit(batch);
        } else {
            layers.fit(batch);
        }
    }

    /** The loss of the last training step. */
    public double score() {
        return dl4j().score();
    }

    /** This network's parameters, updater state and counters put into {@code target} (same parameter layout). */
    public void copyStateTo(Network target) {
        target.setParams(params());
        INDArray state = updaterState();
        if (state != null) {
            target.setUpdaterState(state);
        }
        target.setCounts(iterationCount(), epochCount());
    }

    /**
     * The same function in another form ({@code conf} must have this network's parameter layout, as
     * {@link FusedLayers} keeps it): a new network with copies of the parameters, updater state and
     * counters; this network itself when the configuration is the same.
     */
    public Network withConfig(NetworkConfig conf) {
        if (conf.equals(config())) {
            return this;
        }
        Network out = conf.init(params().dup());
        INDArray state = updaterState();
        if (state != null) {
            out.setUpdaterState(state);
        }
        out.setCounts(iterationCount(), epochCount());
        return out;
    }

    /** This network as this backend runs it fastest ({@link FusedLayers#forBackend}). */
    public Network forBackend() {
        return withConfig(config().forBackend());
    }

    /** This network in DL4J's standard layers only: what is saved. */
    public Network standard() {
        return withConfig(config().standard());
    }

    /**
     * Checks on one blank example that the network takes examples of {@code shape} and predicts
     * {@code numClasses} classes, so a mismatch is one clear error naming both shapes, before any
     * data moves, rather than a failure deep inside a Spark task.
     *
     * @param what  the model, named in errors ("model /m/model.h5", "champion 000003")
     * @param where the data's location, named in errors
     */
    public void requireFits(InputShape shape, int numClasses, String what, String where) {
        long outputs = outputsFor(shape, what, where);
        if (outputs != numClasses) {
            throw new InputException(what + " predicts " + outputs + " classes but the data in " + where + " has "
                    + numClasses + " (examples " + shape + ", C,H,W)");
        }
    }

    /**
     * The number of classes the network predicts for examples of {@code shape}, checked on one blank
     * example (for data without labels, whose class count is the model's); an {@link InputException}
     * naming both shapes when it does not take them.
     */
    public int outputsFor(InputShape shape, String what, String where) {
        try {
            INDArray out = output(Nd4j.zeros(DataType.FLOAT, 1, shape.channels(), shape.height(), shape.width()));
            if (out.rank() != 2) {
                throw new IllegalArgumentException("its output has shape " + java.util.Arrays.toString(out.shape())
                        + ", not [examples, classes]");
            }
            return (int) out.size(1);
        } catch (RuntimeException e) {
            throw new InputException("Examples in " + where + " have shape " + shape + " (C,H,W), which " + what
                    + " does not accept: it takes " + config().describeInput() + " (" + firstLine(e.getMessage()) + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network other && Objects.equals(dl4j(), other.dl4j());
    }

    @Override
    public int hashCode() {
        return dl4j().hashCode();
    }
}
