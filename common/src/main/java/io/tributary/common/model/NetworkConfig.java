package io.tributary.common.model;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * The configuration of the network being trained: a DL4J {@link MultiLayerConfiguration} (a stack of
 * layers) or a {@link ComputationGraphConfiguration} with one input and one output (Tributary feeds
 * one array of examples and one of labels). Every place that builds, sizes, serializes or rewrites a
 * network goes through this class, so none of them branches on the two kinds itself.
 */
public final class NetworkConfig {
    private final MultiLayerConfiguration layers;
    private final ComputationGraphConfiguration graph;

    private NetworkConfig(MultiLayerConfiguration layers, ComputationGraphConfiguration graph) {
        this.layers = layers;
        this.graph = graph;
    }

    public static NetworkConfig of(MultiLayerConfiguration layers) {
        return new NetworkConfig(Objects.requireNonNull(layers), null);
    }

    /** @throws InputException when the graph has more than one input or output */
    public static NetworkConfig of(ComputationGraphConfiguration graph) {
        int inputs = graph.getNetworkInputs().size();
        int outputs = graph.getNetworkOutputs().size();
        if (inputs != 1 || outputs != 1) {
            throw new InputException("The computation graph has " + inputs + " inputs " + graph.getNetworkInputs()
                    + " and " + outputs + " outputs " + graph.getNetworkOutputs()
                    + "; Tributary trains graphs with one input and one output");
        }
        return new NetworkConfig(null, graph);
    }

    /**
     * Parses DL4J's JSON of either kind (a graph's has {@code "vertices"}, a stack's {@code "confs"})
     * that Tributary wrote itself, e.g. a broadcast to executors. A file goes through
     * {@link io.tributary.common.store.ModelStore}, which checks what the JSON may name first.
     *
     * @throws IllegalArgumentException when it is neither (DL4J's reason as the message)
     */
    public static NetworkConfig fromTrustedJson(String json) {
        return isGraphJson(json) ? of(ComputationGraphConfiguration.fromJson(json))
                : of(MultiLayerConfiguration.fromJson(json));
    }

    /** Whether DL4J JSON describes a computation graph (the only kind with a top-level {@code "vertices"}). */
    static boolean isGraphJson(String json) {
        try {
            return new org.nd4j.shade.jackson.databind.ObjectMapper().readTree(json).has("vertices");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    public String toJson() {
        return graph != null ? graph.toJson() : layers.toJson();
    }

    public boolean isGraph() {
        return graph != null;
    }

    /** "computation graph" or "multi-layer network", for messages and reports. */
    public String kind() {
        return isGraph() ? "computation graph" : "multi-layer network";
    }

    /** The stack of layers; {@link IllegalStateException} for a graph. */
    public MultiLayerConfiguration layers() {
        if (layers == null) {
            throw new IllegalStateException("a computation graph has no layer list");
        }
        return layers;
    }

    /** The graph; {@link IllegalStateException} for a stack of layers. */
    public ComputationGraphConfiguration graph() {
        if (graph == null) {
            throw new IllegalStateException("a multi-layer network is not a graph");
        }
        return graph;
    }

    public DataType dataType() {
        return graph != null ? graph.getDataType() : layers.getDataType();
    }

    /** This configuration with another data type for its parameters (how DL4J's loader builds a saved network). */
    public NetworkConfig withDataType(DataType type) {
        if (graph != null) {
            ComputationGraphConfiguration c = graphCopy();
            c.setDataType(type);
            return of(c);
        }
        MultiLayerConfiguration c = layers.clone();
        c.setDataType(type);
        return of(c);
    }

    /** A copy of the graph's configuration with its counters (DL4J's clone of a graph configuration drops them). */
    private ComputationGraphConfiguration graphCopy() {
        ComputationGraphConfiguration c = graph.clone();
        c.setIterationCount(graph.getIterationCount());
        c.setEpochCount(graph.getEpochCount());
        return c;
    }

    /** The parameter count, without allocating anything ({@link ModelSize#parameters}). */
    public long numParams() {
        return graph != null ? ModelSize.parameters(graph) : ModelSize.parameters(layers);
    }

    /**
     * The network, initialised: with {@code params} (not copied; {@code null}: a fresh seeded
     * initialisation) in this configuration's data type.
     */
    public Network init(INDArray params) {
        // A copy: DL4J keeps a network's iteration and epoch counts in its configuration.
        if (graph != null) {
            ComputationGraph g = new ComputationGraph(graphCopy());
            g.init(params, false);
            return Network.of(g);
        }
        MultiLayerNetwork n = new MultiLayerNetwork(layers.clone());
        n.init(params, false);
        return Network.of(n);
    }

    /** This configuration as this backend runs it fastest ({@link FusedLayers#forBackend}). */
    public NetworkConfig forBackend() {
        return graph != null ? of(FusedLayers.forBackend(graph)) : of(FusedLayers.forBackend(layers));
    }

    /** This configuration in DL4J's standard layers only: what is saved ({@link FusedLayers#standard}). */
    public NetworkConfig standard() {
        return graph != null ? of(FusedLayers.standard(graph)) : of(FusedLayers.standard(layers));
    }

    /** Whether a layer runs fused. */
    public boolean isFused() {
        return graph != null ? FusedLayers.isFused(graph) : FusedLayers.isFused(layers);
    }

    /**
     * What the first layer takes, in words, for errors about data that does not fit: images of
     * H,W with C channels where a flattening preprocessor or a convolution says so, else a number of
     * features.
     */
    public String describeInput() {
        org.deeplearning4j.nn.conf.InputPreProcessor pre;
        org.deeplearning4j.nn.conf.layers.Layer first;
        if (graph != null) {
            String input = graph.getNetworkInputs().get(0);
            String firstName = graph.getVertexInputs().entrySet().stream()
                    .filter(e -> e.getValue().contains(input)).map(java.util.Map.Entry::getKey).findFirst().orElse(null);
            org.deeplearning4j.nn.conf.graph.GraphVertex vertex = firstName == null ? null : graph.getVertices().get(firstName);
            if (!(vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv)) {
                return "what its first vertex " + firstName + " takes";
            }
            pre = lv.getPreProcessor();
            first = lv.getLayerConf().getLayer();
        } else {
            pre = layers.getInputPreProcess(0);
            first = layers.getConf(0).getLayer();
        }
        if (pre instanceof org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor p) {
            return "images of " + p.getNumChannels() + "," + p.getInputHeight() + "," + p.getInputWidth() + " (C,H,W)";
        }
        if (first instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
            return "images with " + c.getNIn() + " channels";
        }
        if (first instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer f) {
            return f.getNIn() + " features (C*H*W)";
        }
        return "what its first layer " + first.getClass().getSimpleName() + " takes";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfig other && Objects.equals(layers, other.layers)
                && Objects.equals(graph, other.graph);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layers, graph);
    }
}
