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

import java.util.Arrays;
import java.util.Map;

/**
 * The network being trained or scored: a DL4J {@link MultiLayerNetwork} ({@link Stack}) or a
 * {@link ComputationGraph} with one input and one output ({@link Graph}), behind the operations
 * Tributary needs (parameters, updater state, counters, inference, a step of training, another form
 * of the same function). Training, checkpoints, evaluation, the registry and scoring use this type,
 * never the two DL4J types; each kind implements what differs, so the compiler checks that both do.
 */
public sealed interface Network permits Network.Stack, Network.Graph {

    /** Wraps an initialised DL4J network; a graph must have one input and one output. */
    static Network of(Model model) {
        if (model instanceof MultiLayerNetwork n) {
            return new Stack(n);
        }
        if (model instanceof ComputationGraph g) {
            NetworkConfig.of(g.getConfiguration());   // one input, one output
            return new Graph(g);
        }
        throw new IllegalArgumentException("not a MultiLayerNetwork or ComputationGraph: " + model.getClass().getName());
    }

    /** The DL4J network itself. */
    Model dl4j();

    NetworkConfig config();

    /** The updater's state (Adam's moments, ...) as one view; {@code null} when the updaters keep none. */
    INDArray updaterState();

    /** Replaces the updater's state: {@code state}'s values are copied into the updater's own view. */
    void setUpdaterState(INDArray state);

    int iterationCount();

    int epochCount();

    void setCounts(int iterations, int epochs);

    /** The output (class probabilities) for {@code features}, in inference mode. */
    INDArray output(INDArray features);

    /** One step of training on {@code batch}. */
    void fit(DataSet batch);

    default INDArray params() {
        return dl4j().params();
    }

    default long numParams() {
        return dl4j().numParams();
    }

    default void setParams(INDArray params) {
        dl4j().setParams(params);
    }

    /** Parameters by name ({@code 0_W} in a stack, {@code conv_W} in a graph), views of {@link #params}. */
    default Map<String, INDArray> paramTable() {
        return dl4j().paramTable();
    }

    /** The loss of the last training step. */
    default double score() {
        return dl4j().score();
    }

    /** This network's parameters, updater state and counters put into {@code target} (same parameter layout). */
    default void copyStateTo(Network target) {
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
    default Network withConfig(NetworkConfig conf) {
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

    /** This network as this backend runs it fastest ({@link FusedLayers}). */
    default Network forBackend() {
        return withConfig(config().forBackend());
    }

    /** This network in DL4J's standard layers only: what is saved. */
    default Network standard() {
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
    default void requireFits(InputShape shape, int numClasses, String what, String where) {
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
    default int outputsFor(InputShape shape, String what, String where) {
        try {
            INDArray out = output(Nd4j.zeros(DataType.FLOAT, 1, shape.channels(), shape.height(), shape.width()));
            if (out.rank() != 2) {
                throw new IllegalArgumentException("its output has shape " + Arrays.toString(out.shape())
                        + ", not [examples, classes]");
            }
            return (int) out.size(1);
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? "no reason given" : e.getMessage().lines().findFirst().orElse("");
            throw new InputException("Examples in " + where + " have shape " + shape + " (C,H,W), which " + what
                    + " does not accept: it takes " + config().describeInput() + " (" + reason + ")");
        }
    }

    /** A stack of layers. */
    record Stack(MultiLayerNetwork dl4j) implements Network {
        @Override
        public NetworkConfig config() {
            return new NetworkConfig.Stack(dl4j.getLayerWiseConfigurations());
        }

        @Override
        public INDArray updaterState() {
            INDArray state = dl4j.getUpdater() == null ? null : dl4j.getUpdater().getStateViewArray();
            return state == null || state.length() == 0 ? null : state;
        }

        @Override
        public void setUpdaterState(INDArray state) {
            dl4j.getUpdater().setStateViewArray(dl4j, state, false);
        }

        @Override
        public int iterationCount() {
            return dl4j.getIterationCount();
        }

        @Override
        public int epochCount() {
            return dl4j.getEpochCount();
        }

        @Override
        public void setCounts(int iterations, int epochs) {
            dl4j.setIterationCount(iterations);
            dl4j.setEpochCount(epochs);
        }

        @Override
        public INDArray output(INDArray features) {
            return dl4j.output(features, false);
        }

        @Override
        public void fit(DataSet batch) {
            dl4j.fit(batch);
        }
    }

    /** A computation graph with one input and one output; its counters live in its configuration. */
    record Graph(ComputationGraph dl4j) implements Network {
        @Override
        public NetworkConfig config() {
            return NetworkConfig.of(dl4j.getConfiguration());
        }

        @Override
        public INDArray updaterState() {
            INDArray state = dl4j.getUpdater().getStateViewArray();
            return state == null || state.length() == 0 ? null : state;
        }

        @Override
        public void setUpdaterState(INDArray state) {
            dl4j.getUpdater().setStateViewArray(state);
        }

        @Override
        public int iterationCount() {
            return dl4j.getConfiguration().getIterationCount();
        }

        @Override
        public int epochCount() {
            return dl4j.getConfiguration().getEpochCount();
        }

        @Override
        public void setCounts(int iterations, int epochs) {
            dl4j.getConfiguration().setIterationCount(iterations);
            dl4j.getConfiguration().setEpochCount(epochs);
        }

        @Override
        public INDArray output(INDArray features) {
            return dl4j.outputSingle(false, features);
        }

        @Override
        public void fit(DataSet batch) {
            dl4j.fit(batch);
        }
    }
}
