package io.tributary.common.model;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleFunction;

/**
 * The configuration of the network being trained: a DL4J {@link MultiLayerConfiguration} ({@link
 * Stack}) or a {@link ComputationGraphConfiguration} with one input and one output ({@link Graph};
 * Tributary feeds one array of examples and one of labels). Every place that builds, sizes,
 * serializes or rewrites a network goes through this type; each kind implements what differs.
 */
public sealed interface NetworkConfig permits NetworkConfig.Stack, NetworkConfig.Graph {

    static NetworkConfig of(MultiLayerConfiguration layers) {
        return new Stack(layers);
    }

    /** @throws InputException when the graph has more than one input or output */
    static NetworkConfig of(ComputationGraphConfiguration graph) {
        return new Graph(graph);
    }

    /**
     * Parses DL4J's JSON of either kind (a graph's has {@code "vertices"}, a stack's {@code "confs"})
     * that Tributary wrote itself, e.g. a broadcast to executors. A file goes through
     * {@link io.tributary.common.store.ModelStore}, which checks what the JSON may name first.
     *
     * @throws IllegalArgumentException when it is neither (DL4J's reason as the message)
     */
    static NetworkConfig fromTrustedJson(String json) {
        return isGraphJson(json) ? of(ComputationGraphConfiguration.fromJson(json))
                : of(MultiLayerConfiguration.fromJson(json));
    }

    /** Whether DL4J JSON describes a computation graph (the only kind with a top-level {@code "vertices"}). */
    static boolean isGraphJson(String json) {
        try {
            return new ObjectMapper().readTree(json).has("vertices");
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    String toJson();

    /** "computation graph" or "multi-layer network", for messages and reports. */
    String kind();

    DataType dataType();

    /** This configuration with another data type for its parameters (how DL4J's loader builds a saved network). */
    NetworkConfig withDataType(DataType type);

    /** The parameter count, without allocating anything ({@link ModelSize#parameters}). */
    long numParams();

    /**
     * The network, initialised: with {@code params} (not copied; {@code null}: a fresh seeded
     * initialisation) in this configuration's data type.
     */
    Network init(INDArray params);

    /** This configuration as this backend runs it fastest: fused on a CPU backend ({@link FusedLayers}). */
    NetworkConfig forBackend();

    /** This configuration in DL4J's standard layers only: what is saved. */
    NetworkConfig standard();

    /** This configuration with every learning rate following the schedule {@code byRate} makes of it ({@link Schedules}). */
    NetworkConfig withSchedule(DoubleFunction<ISchedule> byRate);

    /** Whether a layer runs fused. */
    boolean isFused();

    /**
     * What the first layer takes, in words, for errors about data that does not fit: images of
     * H,W with C channels where a flattening preprocessor or a convolution says so, else a number of
     * features.
     */
    String describeInput();

    /** {@link #describeInput} of a first layer and its preprocessor. */
    private static String describeInput(InputPreProcessor pre, Layer first) {
        if (pre instanceof CnnToFeedForwardPreProcessor p) {
            return "images of " + p.getNumChannels() + "," + p.getInputHeight() + "," + p.getInputWidth() + " (C,H,W)";
        }
        if (first instanceof ConvolutionLayer c) {
            return "images with " + c.getNIn() + " channels";
        }
        if (first instanceof FeedForwardLayer f) {
            return f.getNIn() + " features (C*H*W)";
        }
        return "what its first layer " + first.getClass().getSimpleName() + " takes";
    }

    /** A stack of layers. */
    record Stack(MultiLayerConfiguration dl4j) implements NetworkConfig {
        public Stack {
            Objects.requireNonNull(dl4j);
        }

        @Override
        public String toJson() {
            return dl4j.toJson();
        }

        @Override
        public String kind() {
            return "multi-layer network";
        }

        @Override
        public DataType dataType() {
            return dl4j.getDataType();
        }

        @Override
        public NetworkConfig withDataType(DataType type) {
            MultiLayerConfiguration c = dl4j.clone();
            c.setDataType(type);
            return new Stack(c);
        }

        @Override
        public long numParams() {
            return ModelSize.parameters(dl4j);
        }

        @Override
        public Network init(INDArray params) {
            // A copy: DL4J keeps a network's iteration and epoch counts in its configuration.
            MultiLayerNetwork n = new MultiLayerNetwork(dl4j.clone());
            n.init(params, false);
            return new Network.Stack(n);
        }

        @Override
        public NetworkConfig forBackend() {
            return new Stack(FusedStack.forBackend(dl4j));
        }

        @Override
        public NetworkConfig standard() {
            return new Stack(FusedStack.standard(dl4j));
        }

        @Override
        public NetworkConfig withSchedule(DoubleFunction<ISchedule> byRate) {
            return new Stack(Schedules.scheduled(dl4j, byRate));
        }

        @Override
        public boolean isFused() {
            return FusedStack.isFused(dl4j);
        }

        @Override
        public String describeInput() {
            return NetworkConfig.describeInput(dl4j.getInputPreProcess(0), dl4j.getConf(0).getLayer());
        }
    }

    /** A computation graph with one input and one output; its counters live in the configuration. */
    record Graph(ComputationGraphConfiguration dl4j) implements NetworkConfig {
        /** @throws InputException when the graph has more than one input or output */
        public Graph {
            int inputs = dl4j.getNetworkInputs().size();
            int outputs = dl4j.getNetworkOutputs().size();
            if (inputs != 1 || outputs != 1) {
                throw new InputException("The computation graph has " + inputs + " inputs " + dl4j.getNetworkInputs()
                        + " and " + outputs + " outputs " + dl4j.getNetworkOutputs()
                        + "; Tributary trains graphs with one input and one output");
            }
        }

        @Override
        public String toJson() {
            return dl4j.toJson();
        }

        @Override
        public String kind() {
            return "computation graph";
        }

        @Override
        public DataType dataType() {
            return dl4j.getDataType();
        }

        @Override
        public NetworkConfig withDataType(DataType type) {
            ComputationGraphConfiguration c = copy();
            c.setDataType(type);
            return new Graph(c);
        }

        @Override
        public long numParams() {
            return ModelSize.parameters(dl4j);
        }

        @Override
        public Network init(INDArray params) {
            ComputationGraph g = new ComputationGraph(copy());
            g.init(params, false);
            return new Network.Graph(g);
        }

        @Override
        public NetworkConfig forBackend() {
            return new Graph(FusedGraph.forBackend(dl4j));
        }

        @Override
        public NetworkConfig standard() {
            return new Graph(FusedGraph.standard(dl4j));
        }

        @Override
        public NetworkConfig withSchedule(DoubleFunction<ISchedule> byRate) {
            return new Graph(Schedules.scheduled(dl4j, byRate));
        }

        @Override
        public boolean isFused() {
            return FusedGraph.isFused(dl4j);
        }

        @Override
        public String describeInput() {
            String input = dl4j.getNetworkInputs().get(0);
            String firstName = dl4j.getVertexInputs().entrySet().stream()
                    .filter(e -> e.getValue().contains(input)).map(Map.Entry::getKey).findFirst().orElse(null);
            GraphVertex vertex = firstName == null ? null : dl4j.getVertices().get(firstName);
            if (!(vertex instanceof LayerVertex lv)) {
                return "what its first vertex " + firstName + " takes";
            }
            return NetworkConfig.describeInput(lv.getPreProcessor(), lv.getLayerConf().getLayer());
        }

        /** A copy of the configuration with its counters (DL4J's clone of a graph configuration drops them). */
        private ComputationGraphConfiguration copy() {
            ComputationGraphConfiguration c = dl4j.clone();
            c.setIterationCount(dl4j.getIterationCount());
            c.setEpochCount(dl4j.getEpochCount());
            return c;
        }
    }
}
