package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import io.tributary.job.read.Batching;
import io.tributary.job.read.ExampleRows;
import org.apache.spark.storage.StorageLevel;
import io.tributary.common.data.DataSets;
import io.tributary.common.data.IdxData;
import io.tributary.common.metrics.ClassificationReport;
import io.tributary.common.metrics.Confusion;
import io.tributary.job.spark.Nd4jThreads;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Distributed evaluation of a network on labelled batches in one pass: the confusion matrix (hence
 * accuracy and per-class metrics), the mean cross-entropy loss, and the misclassified examples the
 * network was most sure of. Each task rebuilds the network from the broadcast configuration and
 * parameters; only counts travel back.
 */
public final class HoldoutEvaluation {
    /** Smallest probability whose logarithm counts towards the loss (as DL4J clips it). */
    private static final double MIN_PROBABILITY = 1e-10;

    private HoldoutEvaluation() {
    }

    /** One wrongly classified example: its index in the file, its label, the prediction and its probability. */
    public record Misclassified(long index, int label, int predicted, double probability) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            m.put("label", label);
            m.put("predicted", predicted);
            m.put("probability", probability);
            return m;
        }
    }

    /** The evaluation's outcome; {@code loss} is the mean cross-entropy per example. */
    public record Result(ClassificationReport report, double loss, List<Misclassified> misclassified) {
        public double accuracy() {
            return report.accuracy();
        }

        /** The report's map with {@code loss} and, when kept, {@code misclassified}. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(report.toMap());
            m.put("loss", loss);
            if (!misclassified.isEmpty()) {
                m.put("misclassified", misclassified.stream().map(Misclassified::toMap).toList());
            }
            return m;
        }
    }

    /**
     * @param data            batches in file order of {@code batchSize} examples each (so batch
     *                        {@code id} starts at example {@code id * batchSize}), or any batches when
     *                        {@code keepMisclassified} is 0
     * @param keepMisclassified how many misclassified examples to report, the most confident first
     */
    public static Result run(JavaSparkContext sc, Network net, JavaRDD<RawBatch> data, int numClasses,
                             int threadsPerTask, int batchSize, int keepMisclassified) {
        Broadcast<String> conf = sc.broadcast(net.config().toJson());
        // A copy: destroying a broadcast closes the value (an AutoCloseable) that the driver keeps.
        Broadcast<INDArray> params = sc.broadcast(net.params().dup());
        try {
            List<Counts> parts = data.mapPartitions(new EvaluatePartition(conf, params, numClasses, threadsPerTask,
                    batchSize, keepMisclassified)).collect();
            Counts total = new Counts(numClasses);
            for (Counts c : parts) {
                total.add(c, keepMisclassified);
            }
            return total.result();
        } finally {
            conf.destroy();
            params.destroy();
        }
    }

    /**
     * The held-out rows as batches in their order (for reports naming examples), cached in memory, and
     * evaluated: the result keeps the {@code keepMisclassified} surest mistakes.
     */
    public static Result run(JavaSparkContext sc, Network net, ExampleRows rows, double featureScale,
                             int threadsPerTask, int keepMisclassified) {
        JavaRDD<RawBatch> batches = Batching.evaluation(rows, Batches.EVAL_BATCH,
                Batching.scale(featureScale, rows.byteFeatures()), sc.defaultParallelism(), StorageLevel.MEMORY_ONLY());
        try {
            return run(sc, net, batches, rows.numClasses(), threadsPerTask, Batches.EVAL_BATCH, keepMisclassified);
        } finally {
            batches.unpersist(false);
        }
    }

    /** What a task counted (a task result, so registered with Kryo); a plain class with arrays, which Spark's Kryo 4 can serialize. */
    public static final class Counts implements Serializable {
        final Confusion confusion;
        double lossSum;
        long examples;
        List<long[]> wrong = new ArrayList<>();   // {index, label, predicted}
        List<Double> wrongProbability = new ArrayList<>();

        public Counts(int numClasses) {
            confusion = new Confusion(numClasses);
        }

        void add(Counts other, int keep) {
            confusion.addAll(other.confusion);
            lossSum += other.lossSum;
            examples += other.examples;
            wrong.addAll(other.wrong);
            wrongProbability.addAll(other.wrongProbability);
            keepMostConfident(keep);
        }

        void keepMostConfident(int keep) {
            if (wrong.size() <= keep) return;
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < wrong.size(); i++) order.add(i);
            order.sort(Comparator.comparing((Integer i) -> -wrongProbability.get(i)).thenComparing(i -> wrong.get(i)[0]));
            List<long[]> w = new ArrayList<>();
            List<Double> p = new ArrayList<>();
            for (int i : order.subList(0, keep)) {
                w.add(wrong.get(i));
                p.add(wrongProbability.get(i));
            }
            wrong = w;
            wrongProbability = p;
        }

        public Result result() {
            List<Misclassified> m = new ArrayList<>();
            for (int i = 0; i < wrong.size(); i++) {
                long[] w = wrong.get(i);
                m.add(new Misclassified(w[0], (int) w[1], (int) w[2], wrongProbability.get(i)));
            }
            m.sort(Comparator.comparingDouble(Misclassified::probability).reversed()
                    .thenComparingLong(Misclassified::index));
            return new Result(ClassificationReport.of(confusion), examples == 0 ? Double.NaN : lossSum / examples,
                    List.copyOf(m));
        }
    }

    private static final class EvaluatePartition implements FlatMapFunction<Iterator<RawBatch>, Counts> {
        private final Broadcast<String> conf;
        private final Broadcast<INDArray> params;
        private final int numClasses;
        private final int threadsPerTask;
        private final int batchSize;
        private final int keep;

        EvaluatePartition(Broadcast<String> conf, Broadcast<INDArray> params, int numClasses, int threadsPerTask,
                          int batchSize, int keep) {
            this.conf = conf;
            this.params = params;
            this.numClasses = numClasses;
            this.threadsPerTask = threadsPerTask;
            this.batchSize = batchSize;
            this.keep = keep;
        }

        @Override
        public Iterator<Counts> call(Iterator<RawBatch> batches) {
            Nd4jThreads.ensure(threadsPerTask);
            Counts counts = new Counts(numClasses);
            if (!batches.hasNext()) return List.of(counts).iterator();
            Network net = NetworkConfig.fromTrustedJson(conf.value()).init(params.value().dup());
            while (batches.hasNext()) {
                RawBatch b = batches.next();
                DataSet ds = DataSets.toDataSet(b);
                float[][] probs = net.output(ds.getFeatures()).toFloatMatrix();
                for (int k = 0; k < b.count(); k++) {
                    int label = b.labels()[k];
                    float[] p = probs[k];
                    int predicted = DataSets.predictedClass(p);
                    counts.confusion.add(label, predicted, 1);
                    counts.lossSum -= Math.log(Math.max(p[label], MIN_PROBABILITY));
                    if (predicted != label && keep > 0) {
                        counts.wrong.add(new long[] {b.firstIndex() + k, label, predicted});
                        counts.wrongProbability.add((double) p[predicted]);
                    }
                }
                counts.examples += b.count();
                counts.keepMostConfident(keep);
            }
            return List.of(counts).iterator();
        }
    }
}
