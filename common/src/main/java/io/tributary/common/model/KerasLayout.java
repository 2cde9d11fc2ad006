package io.tributary.common.model;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a network DL4J imported from a channels-last Keras model (NHWC layers, input
 * {@code [mb, H, W, C]}) into the same function on NCHW layers (input {@code [mb, C, H, W]}), which
 * is what Tributary feeds every network and what its fused convolution path requires.
 *
 * <p>Convolution, max/average pooling and batch normalization layers switch their data format (their
 * parameters do not depend on it in DL4J); Flatten ({@link CnnToFeedForwardPreProcessor}) switches
 * from H, W, C to C, H, W order, so the rows of the next dense layer's kernel are permuted to match;
 * that permutation is followed through concatenations, element-wise vertices, activation and
 * dropout layers. A Concatenate of image tensors moves from the last axis to axis 1. A layer or
 * vertex outside this set that sees an image tensor, or a flattened one whose order changed, is
 * refused with its name: the conversion is exact or it does not happen. Keras's no-op dropout
 * (retain probability 1) is removed, as DL4J's import writes it on every layer.
 */
final class KerasLayout {
    private KerasLayout() {
    }

    /** What flows out of a layer or vertex: an image tensor, a feature vector (with its row order), or anything else. */
    private record Flow(Kind kind, long size, int[] rowSource) {
        static final Flow INPUT = new Flow(Kind.INPUT, -1, null);
        static final Flow IMAGE = new Flow(Kind.IMAGE, -1, null);
        static final Flow OTHER = new Flow(Kind.OTHER, -1, null);

        static Flow features(long size, int[] rowSource) {
            return new Flow(Kind.FEATURES, size, rowSource);
        }

        boolean image() {
            return kind == Kind.IMAGE || kind == Kind.INPUT;
        }

        boolean reordered() {
            return kind == Kind.IMAGE || rowSource != null;
        }
    }

    private enum Kind { INPUT, IMAGE, FEATURES, OTHER }

    static MultiLayerNetwork toNchw(String source, MultiLayerNetwork imported) {
        MultiLayerConfiguration conf = imported.getLayerWiseConfigurations().clone();
        Map<String, int[]> rowSources = new HashMap<>();
        Flow flow = Flow.INPUT;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            flow = preprocess(source, name(layer, i), pre, flow);
            flow = layer(source, String.valueOf(i), layer, flow, rowSources);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < imported.getnLayers(); i++) {
            copy(imported.getLayer(i).paramTable(), net.getLayer(i), rowSources.get(String.valueOf(i)));
        }
        return net;
    }

    static ComputationGraph toNchw(String source, ComputationGraph imported) {
        ComputationGraphConfiguration conf = imported.getConfiguration().clone();
        Map<String, int[]> rowSources = new HashMap<>();
        Map<String, Flow> flows = new HashMap<>();
        for (String input : conf.getNetworkInputs()) {
            flows.put(input, Flow.INPUT);
        }
        for (String name : order(conf)) {
            GraphVertex vertex = conf.getVertices().get(name);
            List<Flow> in = conf.getVertexInputs().get(name).stream().map(flows::get).toList();
            flows.put(name, vertex(source, name, vertex, in, rowSources));
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        for (org.deeplearning4j.nn.api.Layer layer : imported.getLayers()) {  // Layer: another class of this name is also imported
            String name = layer.conf().getLayer().getLayerName();
            copy(layer.paramTable(), graph.getLayer(name), rowSources.get(name));
        }
        return graph;
    }

    private static Flow vertex(String source, String name, GraphVertex vertex, List<Flow> in, Map<String, int[]> rowSources) {
        if (vertex instanceof LayerVertex lv) {
            Flow f = preprocess(source, name, lv.getPreProcessor(), in.get(0));
            return layer(source, name, lv.getLayerConf().getLayer(), f, rowSources);
        }
        if (vertex instanceof PreprocessorVertex pv) {
            return preprocess(source, name, pv.getPreProcessor(), in.get(0));
        }
        if (vertex instanceof MergeVertex merge) {
            return merge(source, name, merge, in);
        }
        if (vertex instanceof ElementWiseVertex) {
            boolean same = in.stream().allMatch(f -> f.kind() == in.get(0).kind()
                    && Arrays.equals(f.rowSource(), in.get(0).rowSource()));
            if (!same) {
                throw unconvertible(source, name, vertex, "its inputs are in different layouts");
            }
            return in.get(0);
        }
        if (in.stream().anyMatch(Flow::reordered)) {
            throw unconvertible(source, name, vertex, "it takes an image tensor or a flattened one");
        }
        return Flow.OTHER;
    }

    private static Flow merge(String source, String name, MergeVertex merge, List<Flow> in) {
        if (in.stream().allMatch(f -> f.kind() == Kind.IMAGE)) {
            // Keras concatenates channels_last tensors on their last axis (-1 or 3): NCHW's axis 1.
            if (merge.getMergeAxis() != -1 && merge.getMergeAxis() != 3) {
                throw unconvertible(source, name, merge, "it concatenates image tensors on axis " + merge.getMergeAxis());
            }
            merge.setMergeAxis(1);
            return Flow.IMAGE;
        }
        if (in.stream().allMatch(f -> f.kind() == Kind.FEATURES)) {
            if (in.stream().noneMatch(Flow::reordered)) {
                return Flow.features(in.stream().anyMatch(f -> f.size() < 0) ? -1 : in.stream().mapToLong(Flow::size).sum(), null);
            }
            if (in.stream().anyMatch(f -> f.size() < 0)) {
                throw unconvertible(source, name, merge, "the size of one of its inputs is unknown");
            }
            int total = (int) in.stream().mapToLong(Flow::size).sum();
            int[] rows = new int[total];
            int offset = 0;
            for (Flow f : in) {
                for (int i = 0; i < f.size(); i++) {
                    rows[offset + i] = offset + (f.rowSource() == null ? i : f.rowSource()[i]);
                }
                offset += (int) f.size();
            }
            return Flow.features(total, rows);
        }
        if (in.stream().anyMatch(Flow::reordered)) {
            throw unconvertible(source, name, merge, "it concatenates image tensors with other inputs");
        }
        return Flow.OTHER;
    }

    private static Flow preprocess(String source, String name, InputPreProcessor pre, Flow in) {
        if (pre == null) {
            return in;
        }
        if (pre instanceof CnnToFeedForwardPreProcessor flatten && in.image()) {
            long h = flatten.getInputHeight(), w = flatten.getInputWidth(), c = flatten.getNumChannels();
            if (flatten.getFormat() == CNN2DFormat.NCHW) {
                return Flow.features(h * w * c, null);
            }
            flatten.setFormat(CNN2DFormat.NCHW);
            return Flow.features(h * w * c, hwcRowsInChwOrder((int) h, (int) w, (int) c));
        }
        if (in.reordered()) {
            throw new InputException("Keras model " + source + ": the input of layer \"" + name + "\" goes through "
                    + pre.getClass().getSimpleName() + ", which cannot be converted to Tributary's NCHW layout; "
                    + SUPPORTED_FOR_IMAGES);
        }
        return Flow.OTHER;
    }

    private static Flow layer(String source, String key, Layer layer, Flow in, Map<String, int[]> rowSources) {
        if (layer.getIDropout() instanceof Dropout d && d.getClass() == Dropout.class && d.getP() == 1.0
                && d.getPSchedule() == null) {
            layer.setIDropout(null);    // retain probability 1: DL4J's import writes it on every layer
        }
        Class<?> type = layer.getClass();
        if (type == BatchNormalization.class && in.kind() == Kind.FEATURES && in.rowSource() == null) {
            return in;      // on feature vectors the data format plays no part
        }
        if (type == ConvolutionLayer.class || type == SubsamplingLayer.class || type == BatchNormalization.class) {
            if (!in.image()) {
                throw unconvertible(source, layer, "its input is not an image tensor in a known layout");
            }
            if (layer instanceof ConvolutionLayer conv) {
                conv.setCnn2dDataFormat(CNN2DFormat.NCHW);
            } else if (layer instanceof SubsamplingLayer pool) {
                pool.setCnn2dDataFormat(CNN2DFormat.NCHW);
            } else {
                ((BatchNormalization) layer).setCnn2DFormat(CNN2DFormat.NCHW);
            }
            return Flow.IMAGE;
        }
        if (type == ActivationLayer.class || type == DropoutLayer.class) {
            return in.kind() == Kind.INPUT ? Flow.OTHER : in;   // element-wise: any order passes through
        }
        if (type == DenseLayer.class || type == OutputLayer.class) {
            if (in.kind() == Kind.IMAGE) {
                throw unconvertible(source, layer, "it takes an image tensor without a Flatten");
            }
            if (in.rowSource() != null) {
                rowSources.put(key, in.rowSource());
            }
            return Flow.features(((FeedForwardLayer) layer).getNOut(), null);
        }
        if (type == LossLayer.class && !in.reordered()) {
            return in;
        }
        if (in.reordered() || (ConvolutionUtils.layerHasConvolutionLayout(layer)
                && ConvolutionUtils.getFormatForLayer(layer) == CNN2DFormat.NHWC)) {
            throw unconvertible(source, layer, "it is not among the layers converted to NCHW");
        }
        return Flow.OTHER;
    }

    static final String SUPPORTED_FOR_IMAGES = "on image inputs Tributary converts Conv2D, MaxPooling2D, "
            + "AveragePooling2D, BatchNormalization, Activation, Dropout, Flatten, Dense, Concatenate and Add-style merges";

    private static InputException unconvertible(String source, Layer layer, String why) {
        return new InputException("Keras model " + source + ": layer \"" + layer.getLayerName() + "\" (DL4J "
                + layer.getClass().getSimpleName() + ") cannot be converted to Tributary's NCHW layout because " + why
                + "; " + SUPPORTED_FOR_IMAGES);
    }

    private static InputException unconvertible(String source, String name, GraphVertex vertex, String why) {
        return new InputException("Keras model " + source + ": layer \"" + name + "\" (DL4J "
                + vertex.getClass().getSimpleName() + ") cannot be converted to Tributary's NCHW layout because " + why
                + "; " + SUPPORTED_FOR_IMAGES);
    }

    /** For each row of the C, H, W flattening, the row of the H, W, C flattening that holds the same value. */
    static int[] hwcRowsInChwOrder(int h, int w, int c) {
        int[] rows = new int[h * w * c];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    rows[(ch * h + y) * w + x] = (y * w + x) * c + ch;
                }
            }
        }
        return rows;
    }

    private static void copy(Map<String, INDArray> from, org.deeplearning4j.nn.api.Layer to, int[] rowSource) {  // Layer: another class of this name is also imported
        for (Map.Entry<String, INDArray> p : from.entrySet()) {
            INDArray value = p.getValue();
            if (rowSource != null && p.getKey().equals("W")) {
                value = value.getRows(rowSource);
            }
            to.setParam(p.getKey(), value.dup());
        }
    }

    /** The vertices in an order where each comes after its inputs (the network inputs excluded). */
    private static List<String> order(ComputationGraphConfiguration conf) {
        Map<String, Integer> waiting = new LinkedHashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            waiting.put(e.getKey(), e.getValue().size());
            for (String input : e.getValue()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(e.getKey());
            }
        }
        Deque<String> ready = new ArrayDeque<>(conf.getNetworkInputs());
        List<String> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            String done = ready.poll();
            for (String next : consumers.getOrDefault(done, List.of())) {
                if (waiting.merge(next, -1, Integer::sum) == 0) {
                    out.add(next);
                    ready.add(next);
                }
            }
        }
        return out;
    }

    private static String name(Layer layer, int i) {
        return layer.getLayerName() != null ? layer.getLayerName() : "layer " + i;
    }
}
