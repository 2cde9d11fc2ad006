package io.tributary.common.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fused convolution path as an execution detail, not a file format. Networks are built, saved
 * and loaded with DL4J's standard layers; on a CPU backend {@link #forBackend} rewrites every
 * convolution → max-pooling → ReLU block it can prove equivalent into one {@link ConvPoolRelu} layer
 * with the same parameters, and {@link #standard} turns such a layer back into DL4J's two layers
 * before anything is written, so that any DL4J program can load what Tributary saves.
 *
 * <p>A block is fused when, with the network in FLOAT:
 * <ul>
 *   <li>a {@link ConvolutionLayer} (that class, not a subclass) has a square kernel, stride 1, no
 *       padding, dilation 1, truncate or strict mode (the same with stride 1 and no padding), a bias,
 *       NCHW data, identity or ReLU activation, and no dropout, weight noise, constraints,
 *       regularization or gradient normalization;</li>
 *   <li>it is followed by a MAX {@link SubsamplingLayer} with a square window no larger than
 *       {@value ConvPoolRelu#MAX_POOL}, stride equal to the window, no padding, dilation 1, truncate
 *       mode, NCHW data and no dropout;</li>
 *   <li>and a ReLU is applied: as the convolution's activation, or as an {@link ActivationLayer}
 *       between the two or right after the pooling (ReLU is monotonic, so it commutes with max);</li>
 *   <li>and no layer after the convolution within the block has an input preprocessor.</li>
 * </ul>
 * Anything else stays as DL4J's layers. The parameter vector (bias, then weights
 * {@code [nOut, nIn, k, k]}) and the updater state are the same in both forms.
 *
 * <p>In a computation graph the same blocks are fused where the convolution vertex has ReLU as its
 * activation, is not a network output, and feeds exactly one vertex, the pooling vertex, and neither
 * has an input preprocessor (ReLU as a vertex of its own is not looked for). The fused vertex keeps the
 * convolution's name, so its parameters keep theirs. DL4J lays out a graph's parameter vector in the
 * order of a topological sort that depends on where the vertices are, so a graph is rewritten, either
 * way, only when both forms give the same layout; otherwise it stays as it is.
 */
public final class FusedLayers {
    private FusedLayers() {
    }

    /** {@code conf} as this backend runs it fastest: fused on a CPU backend, standard elsewhere (cuDNN). */
    public static MultiLayerConfiguration forBackend(MultiLayerConfiguration conf) {
        return Nd4j.getEnvironment().isCPU() ? fuse(conf) : standard(conf);
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
                layer.setLayer(fused((ConvolutionLayer) layers.get(i).getLayer(), poolOf(layers, i, length)));
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

    /** {@code conf} with every {@link ConvPoolRelu} as DL4J's convolution (ReLU) and max-pooling; {@code conf} itself when none. */
    public static MultiLayerConfiguration standard(MultiLayerConfiguration conf) {
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
                layer.setLayer(standardConvolution(f));
                out.add(layer);
                out.add(poolConf(layer, f, "layer" + out.size()));   // the pooling layer's index
            } else {
                out.add(layer);
            }
        }
        return withLayers(conf, out, preProcessors);
    }

    /** DL4J's convolution (ReLU) with {@code f}'s parameters, name and updaters. */
    private static ConvolutionLayer standardConvolution(ConvPoolRelu f) {
        return new ConvolutionLayer.Builder(f.getKernel(), f.getKernel())
                .nIn(f.getNIn()).nOut(f.getNOut()).stride(1, 1).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW)
                .activation(new ActivationReLU()).hasBias(true)
                .updater(f.getIUpdater()).biasUpdater(f.getBiasUpdater())
                .weightInit(f.getWeightInitFn()).biasInit(f.getBiasInit())
                .name(f.getLayerName()).build();
    }

    /** The configuration of DL4J's max-pooling layer {@code name} that follows the convolution of {@code conv} ({@code f}). */
    private static NeuralNetConfiguration poolConf(NeuralNetConfiguration conv, ConvPoolRelu f, String name) {
        NeuralNetConfiguration pool = conv.clone();
        pool.clearVariables();   // the pooling layer has no parameters (the clone listed W and b)
        pool.setLayer(new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(f.getPool(), f.getPool()).stride(f.getPool(), f.getPool()).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW)
                .name(name).build());
        return pool;
    }

    /** {@code conf} as this backend runs it fastest: fused on a CPU backend, standard elsewhere (cuDNN). */
    public static ComputationGraphConfiguration forBackend(ComputationGraphConfiguration conf) {
        return Nd4j.getEnvironment().isCPU() ? fuse(conf) : standard(conf);
    }

    /** Whether {@code conf} has a fused layer. */
    public static boolean isFused(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream().anyMatch(v -> layerOf(v) instanceof ConvPoolRelu);
    }

    /**
     * {@code conf} with every convolution (ReLU) vertex whose only consumer is a max-pooling vertex as one
     * {@link ConvPoolRelu} vertex of the convolution's name (its parameters keep their names), the pooling
     * vertex removed and its consumers fed by the fused vertex, except a block whose rewrite would order
     * the parameters differently (DL4J orders them by a topological sort that depends on the vertices'
     * positions); {@code conf} itself when none is fused.
     */
    public static ComputationGraphConfiguration fuse(ComputationGraphConfiguration conf) {
        if (conf.getDataType() != DataType.FLOAT) {
            return conf;
        }
        ComputationGraphConfiguration out = conf;
        for (String name : conf.getVertices().keySet()) {
            String pool = fusablePoolAfter(out, name);
            if (pool != null) {
                ComputationGraphConfiguration next = out.clone();
                LayerVertex vertex = (LayerVertex) next.getVertices().get(name);
                vertex.getLayerConf().setLayer(fused((ConvolutionLayer) layerOf(vertex),
                        (SubsamplingLayer) layerOf(next.getVertices().get(pool))));
                next.getVertices().remove(pool);
                next.getVertexInputs().remove(pool);
                renameInput(next, pool, name);
                // block by block: one that would reorder the parameters, here or on the way back to
                // DL4J's layers (what is saved), stays as it is
                if (sameParameterLayout(conf, next) && !isFused(standard(next))) {
                    out = next;
                }
            }
        }
        return out;
    }

    /**
     * {@code conf} with every {@link ConvPoolRelu} vertex as DL4J's convolution (ReLU) vertex of the same
     * name followed by a max-pooling vertex {@code <name>-pool} that feeds its former consumers;
     * {@code conf} itself when none, and also when that would order the parameters differently.
     */
    public static ComputationGraphConfiguration standard(ComputationGraphConfiguration conf) {
        if (!isFused(conf)) {
            return conf;
        }
        ComputationGraphConfiguration out = conf.clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, String> pools = new LinkedHashMap<>();   // fused vertex -> its pooling vertex
        for (Map.Entry<String, GraphVertex> e : out.getVertices().entrySet()) {
            vertices.put(e.getKey(), e.getValue());
            if (layerOf(e.getValue()) instanceof ConvPoolRelu f) {
                NeuralNetConfiguration layer = ((LayerVertex) e.getValue()).getLayerConf();
                layer.setLayer(standardConvolution(f));
                String pool = freeName(conf, vertices.keySet(),
                        f.getPoolName() != null ? f.getPoolName() : e.getKey() + "-pool");
                // right after the convolution, where a builder adding the two in turn puts it
                vertices.put(pool, new LayerVertex(poolConf(layer, f, pool), null));
                pools.put(e.getKey(), pool);
            }
        }
        out.setVertices(vertices);
        for (Map.Entry<String, String> p : pools.entrySet()) {
            renameInput(out, p.getKey(), p.getValue());
            out.getVertexInputs().put(p.getValue(), new ArrayList<>(List.of(p.getKey())));
        }
        return sameParameterLayout(conf, out) ? out : conf;
    }

    /** The max-pooling vertex that is the only consumer of convolution vertex {@code name} if the two can be fused, else null. */
    private static String fusablePoolAfter(ComputationGraphConfiguration conf, String name) {
        GraphVertex v = conf.getVertices().get(name);
        if (!(layerOf(v) instanceof ConvolutionLayer conv) || ((LayerVertex) v).getPreProcessor() != null
                || !fusableConvolution(conv) || !isRelu(conv.getActivationFn())
                || conf.getNetworkOutputs().contains(name)) {
            return null;
        }
        List<String> consumers = new ArrayList<>();
        conf.getVertexInputs().forEach((consumer, inputs) ->
                inputs.stream().filter(name::equals).forEach(i -> consumers.add(consumer)));
        if (consumers.size() != 1) {
            return null;
        }
        GraphVertex pool = conf.getVertices().get(consumers.get(0));
        return layerOf(pool) instanceof SubsamplingLayer s && fusablePool(s)
                && ((LayerVertex) pool).getPreProcessor() == null ? consumers.get(0) : null;
    }

    private static Layer layerOf(GraphVertex v) {
        return v instanceof LayerVertex lv && lv.getLayerConf() != null ? lv.getLayerConf().getLayer() : null;
    }

    /** Makes every consumer of vertex {@code from}, and the network's outputs, take vertex {@code to} instead. */
    private static void renameInput(ComputationGraphConfiguration conf, String from, String to) {
        for (List<String> inputs : conf.getVertexInputs().values()) {
            inputs.replaceAll(i -> i.equals(from) ? to : i);
        }
        conf.getNetworkOutputs().replaceAll(o -> o.equals(from) ? to : o);
    }

    /** {@code name}, or {@code name-2}, {@code name-3}... : the first that names no vertex or input of {@code conf} nor one in {@code taken}. */
    private static String freeName(ComputationGraphConfiguration conf, java.util.Set<String> taken, String name) {
        String candidate = name;
        for (int n = 2; conf.getVertices().containsKey(candidate) || conf.getNetworkInputs().contains(candidate)
                || taken.contains(candidate); n++) {
            candidate = name + "-" + n;
        }
        return candidate;
    }

    /**
     * Whether networks of {@code a} and {@code b} lay out their parameter vectors (and so their updater
     * states) the same: the same layers with parameters, of the same names, keys and sizes, in the same
     * order, under each order DL4J may use for either (the one cached in the configuration, the one it computes).
     */
    private static boolean sameParameterLayout(ComputationGraphConfiguration a, ComputationGraphConfiguration b) {
        java.util.Set<List<String>> layouts = new java.util.HashSet<>();
        for (ComputationGraphConfiguration c : List.of(a, b)) {
            if (c.getTopologicalOrderStr() != null) {
                layouts.add(parameterLayout(c, c.getTopologicalOrderStr()));
            }
            ComputationGraphConfiguration copy = c.clone();   // clone() leaves the cached order behind
            new ComputationGraph(copy).topologicalSortOrder();   // computes and caches the order, allocates nothing
            layouts.add(parameterLayout(c, copy.getTopologicalOrderStr()));
        }
        return layouts.size() == 1;
    }

    /** "name [keys] count" of each vertex with parameters, in {@code order}: the parameter vector's layout. */
    private static List<String> parameterLayout(ComputationGraphConfiguration conf, List<String> order) {
        List<String> layout = new ArrayList<>();
        for (String name : order) {
            GraphVertex v = conf.getVertices().get(name);
            if (v != null && v.numParams(true) > 0) {
                Layer l = layerOf(v);
                layout.add(name + " " + (l == null ? "" : l.initializer().paramKeys(l)) + " " + v.numParams(true));
            }
        }
        return layout;
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
        if (!(layers.get(i).getLayer() instanceof ConvolutionLayer conv) || !fusableConvolution(conv)) {
            return 0;
        }
        boolean reluDone = isRelu(conv.getActivationFn());
        int j = i + 1;
        if (!reluDone && j < layers.size() && isReluLayer(layers.get(j).getLayer())) {
            reluDone = true;   // convolution → ReLU → pooling
            j++;
        }
        if (j >= layers.size() || !(layers.get(j).getLayer() instanceof SubsamplingLayer pool) || !fusablePool(pool)) {
            return 0;
        }
        j++;
        if (j < layers.size() && isReluLayer(layers.get(j).getLayer()) && conf.getInputPreProcess(j) == null) {
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

    private static ConvPoolRelu fused(ConvolutionLayer conv, SubsamplingLayer pool) {
        ConvPoolRelu.Builder b = new ConvPoolRelu.Builder(conv.getKernelSize()[0], pool.getKernelSize()[0]);
        b.nIn(conv.getNIn()).nOut(conv.getNOut()).updater(conv.getIUpdater()).biasUpdater(conv.getBiasUpdater())
                .weightInit(conv.getWeightInitFn()).biasInit(conv.getBiasInit());
        if (conv.getLayerName() != null) {
            b.name(conv.getLayerName());
        }
        return b.poolName(pool.getLayerName()).build();
    }

    private static boolean fusableConvolution(ConvolutionLayer c) {
        int[] k = c.getKernelSize();
        return c.getClass() == ConvolutionLayer.class && k[0] == k[1]
                && Arrays.equals(c.getStride(), new int[] {1, 1}) && Arrays.equals(c.getPadding(), new int[] {0, 0})
                && Arrays.equals(c.getDilation(), new int[] {1, 1})
                && (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict)
                && c.hasBias() && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && (isRelu(c.getActivationFn()) || c.getActivationFn() instanceof ActivationIdentity)
                && plain(c);
    }

    private static boolean fusablePool(SubsamplingLayer p) {
        int[] k = p.getKernelSize();
        return p.getClass() == SubsamplingLayer.class && p.getPoolingType() == PoolingType.MAX && k[0] == k[1]
                && k[0] >= 1 && k[0] <= ConvPoolRelu.MAX_POOL && Arrays.equals(p.getStride(), k)
                && Arrays.equals(p.getPadding(), new int[] {0, 0}) && Arrays.equals(p.getDilation(), new int[] {1, 1})
                && p.getConvolutionMode() == ConvolutionMode.Truncate && p.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && p.getIDropout() == null;
    }

    private static boolean isReluLayer(Layer layer) {
        return layer != null && layer.getClass() == ActivationLayer.class && layer.getIDropout() == null
                && isRelu(((ActivationLayer) layer).getActivationFn());
    }

    /** Exactly max(0, x): DL4J's ReLU with its defaults (no cap, threshold 0, no negative slope). */
    private static boolean isRelu(IActivation a) {
        return a != null && a.getClass() == ActivationReLU.class && a.equals(new ActivationReLU());
    }

    private static boolean plain(BaseLayer l) {
        return l.getIDropout() == null && l.getWeightNoise() == null
                && (l.getConstraints() == null || l.getConstraints().isEmpty())
                && (l.getRegularization() == null || l.getRegularization().isEmpty())
                && (l.getRegularizationBias() == null || l.getRegularizationBias().isEmpty())
                && (l.getGradientNormalization() == null || l.getGradientNormalization() == GradientNormalization.None);
    }
}
