package io.tributary.common.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link FusedLayers}' rewrite for a computation graph: a convolution (ReLU) vertex whose only consumer
 * is a max-pooling vertex becomes one {@link ConvPoolRelu} vertex of the convolution's name, and back,
 * only where both forms lay out the parameter vector the same.
 */
public final class FusedGraph {
    private FusedGraph() {
    }

    /** {@code conf} as this backend runs it fastest: fused on a CPU backend, standard elsewhere (cuDNN). */
    public static ComputationGraphConfiguration forBackend(ComputationGraphConfiguration conf) {
        return Nd4j.getEnvironment().isCPU() ? FusedAdam.fuse(fuse(conf)) : standard(conf);
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
                vertex.getLayerConf().setLayer(FusedLayers.fused((ConvolutionLayer) layerOf(vertex),
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
     * name followed by a max-pooling vertex {@code <name>-pool} that feeds its former consumers (not when
     * that would order the parameters differently), and every {@link FusedAdam} as DL4J's Adam;
     * {@code conf} itself when none.
     */
    public static ComputationGraphConfiguration standard(ComputationGraphConfiguration conf) {
        return FusedAdam.standard(standardLayers(conf));
    }

    private static ComputationGraphConfiguration standardLayers(ComputationGraphConfiguration conf) {
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
                layer.setLayer(FusedLayers.standardConvolution(f));
                String pool = freeName(conf, vertices.keySet(),
                        f.getPoolName() != null ? f.getPoolName() : e.getKey() + "-pool");
                // right after the convolution, where a builder adding the two in turn puts it
                vertices.put(pool, new LayerVertex(FusedLayers.poolConf(layer, f, pool), null));
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
                || !FusedLayers.fusableConvolution(conv) || !FusedLayers.isRelu(conv.getActivationFn())
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
        return layerOf(pool) instanceof SubsamplingLayer s && FusedLayers.fusablePool(s)
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
    private static String freeName(ComputationGraphConfiguration conf, Set<String> taken, String name) {
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
        Set<List<String>> layouts = new HashSet<>();
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
}
