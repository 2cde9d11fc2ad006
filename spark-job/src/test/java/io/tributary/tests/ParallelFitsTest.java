package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.job.ml.TributaryClassificationModel;
import io.tributary.job.ml.TributaryClassifier;
import io.tributary.job.spark.SessionSettings;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Spark ML fits side by side in one {@code local[2]} session: a CrossValidator with parallelism 2
 * gives exactly the metrics and the best model that it gives with parallelism 1 (parameter averaging
 * is deterministic, so fits that share nothing agree to the last bit), its fits overlap in time and
 * each runs its Spark jobs in a job group of its own; and a fit whose output another running fit is
 * using is refused in one sentence while that fit completes.
 */
class ParallelFitsTest {
    static final String FASHION = "/usr/share/datasets/fashion-mnist";
    static final int EXAMPLES = 1000;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Dataset<Row> data;
    /** The job group of every job started, and when each job started and ended, by job id. */
    static final Map<Integer, String> GROUPS = new ConcurrentHashMap<>();
    static final Map<Integer, long[]> TIMES = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        spark = SessionSettings.apply(SparkSession.builder().master("local[2]").appName("parallel-fits-test"))
                .config("spark.ui.enabled", "false")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                TIMES.put(job.jobId(), new long[] {job.time(), Long.MAX_VALUE});
                GROUPS.put(job.jobId(), String.valueOf(job.properties().getProperty("spark.jobGroup.id")));
            }

            @Override
            public void onJobEnd(SparkListenerJobEnd job) {
                TIMES.computeIfPresent(job.jobId(), (id, t) -> new long[] {t[0], job.time()});
            }
        });
        data = fashion(EXAMPLES).cache();
        data.count();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        spark = null;
    }

    /** The first {@code count} Fashion-MNIST training examples: pixels 0..255 as a Vector, the class as a double. */
    static Dataset<Row> fashion(int count) throws IOException {
        byte[] images = gunzip(Path.of(FASHION, "train-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(Path.of(FASHION, "train-labels-idx1-ubyte.gz"));
        int n = Math.min(count, ByteBuffer.wrap(labels, 4, 4).getInt());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] pixels = new double[784];
            for (int j = 0; j < 784; j++) pixels[j] = images[16 + i * 784 + j] & 0xff;
            rows.add(RowFactory.create(Vectors.dense(pixels), (double) labels[8 + i]));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(4);
    }

    static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    static TributaryClassifier classifier() {
        return new TributaryClassifier().setInputShape("1,28,28").setFeatureScale(1.0 / 255).setModel("mlp")
                .setHidden("32").setEpochs(1).setBatchSize(32).setAveragingFrequency(2).setSeed(11)
                .setTestFraction(0.1);
    }

    static CrossValidatorModel crossValidate(TributaryClassifier classifier, int parallelism) {
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.learningRate(), new double[] {0.001, 0.003})
                .build();
        return new CrossValidator().setEstimator(classifier).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy"))
                .setNumFolds(2).setSeed(7).setParallelism(parallelism).fit(data);
    }

    @Test
    void aCrossValidatorWithParallelismTwoAgreesWithParallelismOne() throws InterruptedException {
        TributaryClassifier classifier = classifier();
        CrossValidatorModel one = crossValidate(classifier, 1);
        int firstJob = marker("after-parallelism-1") + 1;
        CrossValidatorModel two = crossValidate(classifier, 2);
        int lastJob = marker("after-parallelism-2") - 1;
        System.out.printf("parallel-fits: cross-validated accuracy %s with parallelism 1, %s with parallelism 2%n",
                Arrays.toString(one.avgMetrics()), Arrays.toString(two.avgMetrics()));

        for (double m : one.avgMetrics()) assertTrue(m > 0.2, "each learning rate learns (chance 0.1): " + m);
        assertArrayEquals(one.avgMetrics(), two.avgMetrics(), 0.0, "the same metrics, to the last bit");
        TributaryClassificationModel bestOne = (TributaryClassificationModel) one.bestModel();
        TributaryClassificationModel bestTwo = (TributaryClassificationModel) two.bestModel();
        assertEquals(bestOne.parent().getOrDefault(classifier.learningRate()),
                bestTwo.parent().getOrDefault(classifier.learningRate()), "the same learning rate is best");
        assertEquals(bestOne.transform(data).select("probability").collectAsList(),
                bestTwo.transform(data).select("probability").collectAsList(), "the same best model");

        // The fits of the second run: two folds of two learning rates, then the best refitted on all the data.
        Map<String, long[]> spans = new TreeMap<>();
        GROUPS.forEach((job, group) -> {
            long[] t = TIMES.get(job);
            if (job >= firstJob && job <= lastJob && group.startsWith("tributary-")) {
                spans.merge(group, t.clone(), (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        });
        assertEquals(5, spans.size(), "a job group per fit: " + spans.keySet());
        spans.keySet().forEach(g -> assertTrue(g.matches("tributary-run-\\d+"), g));
        assertTrue(overlapping(new ArrayList<>(spans.values())), "two fits ran at the same time");
    }

    /**
     * Runs a job in job group {@code group} and waits until the listener has seen it: the listener bus
     * delivers in order, so every job before it has been seen too. Its job id.
     */
    static int marker(String group) throws InterruptedException {
        spark.sparkContext().setJobGroup(group, group, false);
        try {
            data.count();
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Map.Entry<Integer, String> job : GROUPS.entrySet()) {
                if (job.getValue().equals(group)) return job.getKey();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the listener never saw the job of " + group);
    }

    static boolean overlapping(List<long[]> spans) {
        for (int i = 0; i < spans.size(); i++) {
            for (int j = i + 1; j < spans.size(); j++) {
                if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) return true;
            }
        }
        return false;
    }

    @Test
    void aFitWhoseOutputAnotherRunningFitUsesIsRefused() throws Exception {
        Path run = tmp.resolve("run");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<TributaryClassificationModel> first = thread.submit(
                    () -> classifier().setOutput(run.toString()).fit(data));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(run.resolve("_lock")) && !first.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(first.isDone(), "the first fit is still running");
            InputException e = assertThrows(InputException.class,
                    () -> classifier().setOutput(run.toString()).setOverwrite(true).fit(data));
            assertTrue(e.getMessage().contains(": output file:" + run + " is the run directory of another fit running"
                    + " now in this JVM; fits that run at the same time (a CrossValidator's parallelism above 1) each"
                    + " need their own: leave output unset"), e.getMessage());
            assertTrue(first.get().heldOutAccuracy() > 0.2, "the first fit completed and learnt");
            assertTrue(Files.exists(run.resolve("model.zip")), "the first fit's run is whole");
        } finally {
            thread.shutdownNow();
        }
    }
}
