package io.tributary.common.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of {@link ConvPoolRelu}, laid out as DL4J's {@code ConvolutionParamInitializer} lays out
 * a convolution's: the bias ({@code nOut}) first, then the weights {@code [nOut, nIn, k, k]} in C order,
 * initialized with the same fan-in and fan-out.
 */
final class ConvPoolReluParams implements ParamInitializer {
    static final ConvPoolReluParams INSTANCE = new ConvPoolReluParams();
    static final String WEIGHTS = "W";
    static final String BIAS = "b";

    private ConvPoolReluParams() {
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        ConvPoolRelu l = (ConvPoolRelu) layer;
        return l.getNOut() + weightCount(l);
    }

    private static long weightCount(ConvPoolRelu l) {
        return l.getNOut() * l.getNIn() * l.getKernel() * l.getKernel();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(WEIGHTS, BIAS);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(WEIGHTS);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(BIAS);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHTS.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        ConvPoolRelu l = (ConvPoolRelu) conf.getLayer();
        Map<String, INDArray> views = split(l, paramsView);
        if (initializeParams) {
            views.get(BIAS).assign(l.getBiasInit());
            long k = l.getKernel();
            double fanIn = l.getNIn() * k * k;
            double fanOut = l.getNOut() * k * k;
            INDArray weights = views.get(WEIGHTS);
            l.getWeightInitFn().init(fanIn, fanOut, weights.shape(), 'c', weights);
        }
        conf.addVariable(WEIGHTS);
        conf.addVariable(BIAS);
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split((ConvPoolRelu) conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> split(ConvPoolRelu l, INDArray flat) {
        long expected = l.getNOut() + weightCount(l);
        if (flat.length() != expected) {
            throw new IllegalStateException("ConvPoolRelu expects " + expected + " parameters, got " + flat.length());
        }
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> views = Collections.synchronizedMap(new LinkedHashMap<>());
        views.put(BIAS, vector.get(NDArrayIndex.interval(0, l.getNOut())));
        views.put(WEIGHTS, vector.get(NDArrayIndex.interval(l.getNOut(), expected))
                .reshape('c', l.getNOut(), l.getNIn(), l.getKernel(), l.getKernel()));
        return views;
    }
}
