package io.tributary.common.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;

import java.util.Arrays;

/**
 * The fused convolution path as an execution detail, not a file format. Networks are built, saved
 * and loaded with DL4J's standard layers; on a CPU backend {@link NetworkConfig#forBackend} rewrites every
 * convolution → max-pooling → ReLU block it can prove equivalent into one {@link ConvPoolRelu} layer
 * with the same parameters, and {@link NetworkConfig#standard} turns such a layer back into DL4J's two layers
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
 *
 * <p>The rewrite of each kind of network is its own class ({@link FusedStack}, {@link FusedGraph});
 * this class holds what they share: which layers qualify, and how a block becomes one layer and back.
 */
public final class FusedLayers {
    private FusedLayers() {
    }

    /** DL4J's convolution (ReLU) with {@code f}'s parameters, name and updaters. */
    static ConvolutionLayer standardConvolution(ConvPoolRelu f) {
        return new ConvolutionLayer.Builder(f.getKernel(), f.getKernel())
                .nIn(f.getNIn()).nOut(f.getNOut()).stride(1, 1).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW)
                .activation(new ActivationReLU()).hasBias(true)
                .updater(f.getIUpdater()).biasUpdater(f.getBiasUpdater())
                .weightInit(f.getWeightInitFn()).biasInit(f.getBiasInit())
                .name(f.getLayerName()).build();
    }

    /** The configuration of DL4J's max-pooling layer {@code name} that follows the convolution of {@code conv} ({@code f}). */
    static NeuralNetConfiguration poolConf(NeuralNetConfiguration conv, ConvPoolRelu f, String name) {
        NeuralNetConfiguration pool = conv.clone();
        pool.clearVariables();   // the pooling layer has no parameters (the clone listed W and b)
        pool.setLayer(new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(f.getPool(), f.getPool()).stride(f.getPool(), f.getPool()).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW)
                .name(name).build());
        return pool;
    }

    static ConvPoolRelu fused(ConvolutionLayer conv, SubsamplingLayer pool) {
        ConvPoolRelu.Builder b = new ConvPoolRelu.Builder(conv.getKernelSize()[0], pool.getKernelSize()[0]);
        b.nIn(conv.getNIn()).nOut(conv.getNOut()).updater(conv.getIUpdater()).biasUpdater(conv.getBiasUpdater())
                .weightInit(conv.getWeightInitFn()).biasInit(conv.getBiasInit());
        if (conv.getLayerName() != null) {
            b.name(conv.getLayerName());
        }
        return b.poolName(pool.getLayerName()).build();
    }

    static boolean fusableConvolution(ConvolutionLayer c) {
        int[] k = c.getKernelSize();
        return c.getClass() == ConvolutionLayer.class && k[0] == k[1]
                && Arrays.equals(c.getStride(), new int[] {1, 1}) && Arrays.equals(c.getPadding(), new int[] {0, 0})
                && Arrays.equals(c.getDilation(), new int[] {1, 1})
                && (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict)
                && c.hasBias() && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && (isRelu(c.getActivationFn()) || c.getActivationFn() instanceof ActivationIdentity)
                && plain(c);
    }

    static boolean fusablePool(SubsamplingLayer p) {
        int[] k = p.getKernelSize();
        return p.getClass() == SubsamplingLayer.class && p.getPoolingType() == PoolingType.MAX && k[0] == k[1]
                && k[0] >= 1 && k[0] <= ConvPoolRelu.MAX_POOL && Arrays.equals(p.getStride(), k)
                && Arrays.equals(p.getPadding(), new int[] {0, 0}) && Arrays.equals(p.getDilation(), new int[] {1, 1})
                && p.getConvolutionMode() == ConvolutionMode.Truncate && p.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && p.getIDropout() == null;
    }

    static boolean isReluLayer(Layer layer) {
        return layer != null && layer.getClass() == ActivationLayer.class && layer.getIDropout() == null
                && isRelu(((ActivationLayer) layer).getActivationFn());
    }

    /** Exactly max(0, x): DL4J's ReLU with its defaults (no cap, threshold 0, no negative slope). */
    static boolean isRelu(IActivation a) {
        return a != null && a.getClass() == ActivationReLU.class && a.equals(new ActivationReLU());
    }

    static boolean plain(BaseLayer l) {
        return l.getIDropout() == null && l.getWeightNoise() == null
                && (l.getConstraints() == null || l.getConstraints().isEmpty())
                && (l.getRegularization() == null || l.getRegularization().isEmpty())
                && (l.getRegularizationBias() == null || l.getRegularizationBias().isEmpty())
                && (l.getGradientNormalization() == null || l.getGradientNormalization() == GradientNormalization.None);
    }
}
