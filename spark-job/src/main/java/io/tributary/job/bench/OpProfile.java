package io.tributary.job.bench;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.DataSets;
import io.tributary.common.data.IdxData;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.data.RawBatch;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.FusedStack;
import io.tributary.common.model.ModelZoo;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.train.Batches;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Single-process DL4J on 12,800 Fashion-MNIST examples with ND4J's op profiler: examples/s, then the
 * time per op type over 40 profiled batches. Variants of the reference CNN: "as-written" (ReLU in the
 * convolution), "pool-relu" (DL4J's layers, ReLU after the max-pooling), "nhwc" (as written, NHWC
 * layout), "built" (the zoo's network as this backend runs it, fused on CPUs).
 * Run with deploy/bench/op-profile.sh BATCH THREADS VARIANT.
 */
public final class OpProfile {
    private OpProfile() {
    }

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        Nd4jThreads.ensure(Integer.parseInt(args[1]));
        String variant = args[2];
        CNN2DFormat format = variant.equals("nhwc") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        boolean reluAfterPool = variant.equals("pool-relu");
        MultiLayerNetwork net = variant.equals("built")
                ? new MultiLayerNetwork(FusedStack.forBackend(
                        ModelZoo.build(ModelZoo.SEED_CNN, new InputShape(1, 28, 28), 10, 1e-3, 42)))
                : new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(42).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1)
                        .activation(reluAfterPool ? Activation.IDENTITY : Activation.RELU).dataFormat(format).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).dataFormat(format).build())
                .layer(new ActivationLayer.Builder().activation(reluAfterPool ? Activation.RELU : Activation.IDENTITY).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1, format))
                .build());
        net.init();
        IdxData train = new IdxDirectory(HadoopFs.resolve("data", "/usr/share/datasets/fashion-mnist",
                new Configuration())).read(IdxDirectory.Split.TRAIN).head(12_800);
        List<DataSet> batches = new ArrayList<>();
        for (RawBatch b : Batches.of(train, batch, 42L)) {
            DataSet d = DataSets.toDataSet(b);
            if (format == CNN2DFormat.NHWC) d.setFeatures(d.getFeatures().reshape('c', b.count(), b.rows(), b.cols(), 1));
            batches.add(d);
        }
        for (int i = 0; i < 20; i++) net.fit(batches.get(i));   // warm-up
        long start = System.nanoTime();
        for (DataSet ds : batches) net.fit(ds);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d batches of %d in %.2f s: %.0f examples/s, %.1f ms per batch%n", variant,
                batches.size(), batch, s, batches.size() * batch / s, s * 1000 / batches.size());
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().stackTrace(false).build());
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        OpProfiler.getInstance().reset();
        for (DataSet ds : batches.subList(0, 40)) net.fit(ds);
        OpProfiler.getInstance().printOutDashboard();
    }
}
