package io.tributary.common.model;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link FusedLayers}' rewrite for a stack of layers ({@link MultiLayerConfiguration}): a convolution,
 * max-pooling and ReLU block (its ReLU as the convolution's activation, or as an activation layer
 * between the two or right after the pooling) becomes one {@link ConvPoolRelu} layer, and back.
 */
public final class FusedStack {
    private FusedStack() {
    }

    /** {@code conf} as this backend runs it fastest: fused on a CPU backend, standard elsewhere (cuDNN). */
    public static MultiLayerConfiguration forBackend(MultiLayerConfiguration conf) {
        return Nd4j.getEnvironment().isCPU() ? FusedAdam.fuse(fuse(conf)) : standard(conf);
    }

    /** {@code net} as this backend runs it fastest, with the same parameters, updater state and counts. */
    public static MultiLayerNetwork forBackend(MultiLayerNetwork net) {
        return withConfiguration(net, forBackend(net.getLayerWiseConfigurations()));
    }

    /** {@code net} with DL4J's standard layers only: what is saved. */
    public static MultiLayerNetwork standard(MultiLayerNetwork net) {
        return withConfiguration(net, standard(net.getLayerWiseConfigurations()));
    }

    /** Whether {@code conf} has a fused layer. */
    public static boolean isFused(MultiLayerConfiguration conf) {
        return conf.getConfs().stream().anyMatch(c -> c.getLayer() instanceof ConvPoolRelu);
    }

    /** {@code conf} with every block that can be fused as one {@link ConvPoolRelu}; {@code conf} itself when none. */
    public static MultiLayerConfiguration fuse(MultiLayerConfiguration conf) {
        if (conf.getDataType() != DataType.FLOAT) {
            return conf;
        }
        List<NeuralNetConfiguration> layers = conf.getConfs();
        List<NeuralNetConfiguration> out = new ArrayList<>();
        Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
        for (int i = 0; i < layers.size(); ) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null) {
                preProcessors.put(out.size(), pre.clone());
            }
            int length = blockAt(conf, i);
            NeuralNetConfiguration layer = layers.get(i).clone();
            if (length > 0) {
                layer.setLayer(FusedLayers.fused((ConvolutionLayer) layers.get(i).getLayer(), poolOf(layers, i, length)));
                i += length;
            } else {
                i++;
            }
            out.add(layer);
        }
        if (out.size() == layers.size()) {
            return conf;
        }
        return withLayers(conf, out, preProcessors);
    }

    /**
     * {@code conf} with every {@link ConvPoolRelu} as DL4J's convolution (ReLU) and max-pooling and every
     * {@link FusedAdam} as DL4J's Adam; {@code conf} itself when none.
     */
    public static MultiLayerConfiguration standard(MultiLayerConfiguration conf) {
        return FusedAdam.standard(standardLayers(conf));
    }

    private static MultiLayerConfiguration standardLayers(MultiLayerConfiguration conf) {
        if (!isFused(conf)) {
            return conf;
        }
        List<NeuralNetConfiguration> out = new ArrayList<>();
        Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null) {
                preProcessors.put(out.size(), pre.clone());
            }
            NeuralNetConfiguration layer = conf.getConf(i).clone();
            if (layer.getLayer() instanceof ConvPoolRelu f) {
                layer.setLayer(FusedLayers.standardConvolution(f));
                out.add(layer);
                out.add(FusedLayers.poolConf(layer, f, "layer" + out.size()));   // the pooling layer's index
            } else {
                out.add(layer);
            }
        }
        return withLayers(conf, out, preProcessors);
    }

    /**
     * A network of {@code conf} (the same function as {@code net}'s, in another form) with {@code net}'s
     * parameters, updater state and iteration and epoch counts; {@code net} itself when the form is the same.
     */
    static MultiLayerNetwork withConfiguration(MultiLayerNetwork net, MultiLayerConfiguration conf) {
        if (conf == net.getLayerWiseConfigurations()) {
            return net;
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init(net.params(), true);
        INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        if (state != null && state.length() > 0) {
            out.getUpdater().setStateViewArray(out, state.dup(), false);
        }
        out.setIterationCount(net.getIterationCount());
        out.setEpochCount(net.getEpochCount());
        return out;
    }

    private static MultiLayerConfiguration withLayers(MultiLayerConfiguration conf, List<NeuralNetConfiguration> layers,
                                                      Map<Integer, InputPreProcessor> preProcessors) {
        MultiLayerConfiguration c = conf.clone();
        c.setConfs(layers);
        c.setInputPreProcessors(preProcessors);
        return c;
    }

    /** The number of layers from {@code i} that form a fusable block (2 or 3), or 0. */
    private static int blockAt(MultiLayerConfiguration conf, int i) {
        List<NeuralNetConfiguration> layers = conf.getConfs();
        if (!(layers.get(i).getLayer() instanceof ConvolutionLayer conv) || !FusedLayers.fusableConvolution(conv)) {
            return 0;
        }
        boolean reluDone = FusedLayers.isRelu(conv.getActivationFn());
        int j = i + 1;
        if (!reluDone && j < layers.size() && FusedLayers.isReluLayer(layers.get(j).getLayer())) {
            reluDone = true;   // convolution → ReLU → pooling
            j++;
        }
        if (j >= layers.size() || !(layers.get(j).getLayer() instanceof SubsamplingLayer pool) || !FusedLayers.fusablePool(pool)) {
            return 0;
        }
        j++;
        if (j < layers.size() && FusedLayers.isReluLayer(layers.get(j).getLayer()) && conf.getInputPreProcess(j) == null) {
            reluDone = true;   // pooling → ReLU (also absorbed after a ReLU already applied: relu(relu(x)) = relu(x))
            j++;
        }
        if (!reluDone) {
            return 0;
        }
        for (int k = i + 1; k < j; k++) {
            if (conf.getInputPreProcess(k) != null) {
                return 0;
            }
        }
        return j - i;
    }

    private static SubsamplingLayer poolOf(List<NeuralNetConfiguration> layers, int i, int length) {
        for (int k = i + 1; k < i + length; k++) {
            if (layers.get(k).getLayer() instanceof SubsamplingLayer pool) {
                return pool;
            }
        }
        throw new IllegalStateException("no pooling layer in the block at layer " + i);
    }
}
