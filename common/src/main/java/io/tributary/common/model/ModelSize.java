package io.tributary.common.model;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A network's size from its configuration alone, without initializing it: the parameter count is summed
 * over the layers' own parameter initializers, so a network too big for the machine is refused before
 * any memory is spent on it (or Spark is started).
 */
public final class ModelSize {
    /** The config key that bounds the parameter count. */
    public static final String KEY = "max-parameters";

    private ModelSize() {
    }

    /**
     * The number of parameters of {@code conf}'s network (as {@code MultiLayerNetwork.numParams()} after
     * init), without allocating them.
     *
     * @throws ArithmeticException when a layer claims a negative count or the total overflows
     */
    public static long parameters(MultiLayerConfiguration conf) {
        return sum(byLayer(conf));
    }

    /** The number of parameters of {@code conf}'s graph (as {@code ComputationGraph.numParams()} after init), without allocating them. */
    public static long parameters(ComputationGraphConfiguration conf) {
        return sum(byLayer(conf));
    }

    /**
     * Each layer's parameter count by its name (layers without a name by their index), without
     * allocating them.
     *
     * @throws ArithmeticException when a layer claims a negative count
     */
    public static Map<String, Long> byLayer(MultiLayerConfiguration conf) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration layer = conf.getConf(i);
            String name = layer.getLayer().getLayerName();
            counts.merge(name != null ? name : String.valueOf(i), count(name, layer.getLayer().initializer().numParams(layer)),
                    Math::addExact);
        }
        return counts;
    }

    /** Each vertex's parameter count by its name, without allocating them. */
    public static Map<String, Long> byLayer(ComputationGraphConfiguration conf) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            counts.put(vertex.getKey(), count(vertex.getKey(), vertex.getValue().numParams(true)));
        }
        return counts;
    }

    private static long count(String layer, long n) {
        if (n < 0) {
            throw new ArithmeticException("layer " + layer + " has " + n + " parameters");
        }
        return n;
    }

    private static long sum(Map<String, Long> counts) {
        long total = 0;
        for (long n : counts.values()) {
            total = Math.addExact(total, n);
        }
        return total;
    }

    /**
     * Refuses a network with more than {@code maxParameters} parameters.
     *
     * @param what the network in words for the message, e.g. "seed-cnn for 4096x4096x1 images with 10 classes"
     * @return the parameter count
     */
    public static long requireAtMost(NetworkConfig conf, long maxParameters, String what) {
        long n = conf.numParams();
        if (n > maxParameters) {
            throw new InputException(String.format(Locale.ROOT, "Model %s has %,d parameters (%,d MiB as floats, "
                    + "before gradients and updater state), more than %s %,d; use smaller images or raise %s",
                    what, n, n * Float.BYTES >> 20, KEY, maxParameters, KEY));
        }
        return n;
    }
}
