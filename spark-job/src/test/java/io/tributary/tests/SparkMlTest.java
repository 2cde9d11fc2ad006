package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.io.Json;
import io.tributary.job.ml.TributaryClassificationModel;
import io.tributary.job.ml.TributaryClassifier;
import io.tributary.job.spark.SessionSettings;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Spark ML API as a user's pipeline uses it, in a {@code local[2]} session of the test's own
 * (started with {@link SessionSettings}): a Pipeline of a StringIndexer on string labels and a
 * {@link TributaryClassifier} is fitted, saved and reloaded, and the reloaded PipelineModel's
 * accuracy (Spark's evaluator) equals {@code tributary evaluate}'s on the same data and model file;
 * a CrossValidator over two learning rates runs; the estimator round-trips its parameters; a bad
 * parameter value is refused with the key's rule.
 */
@Tag("heavy")
class SparkMlTest {
    static final String SHAPE = "1,28,28";
    static final double SCALE = 1.0 / 255;
    static final String FASHION = "/usr/share/datasets/fashion-mnist";

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Dataset<Row> train;
    static Dataset<Row> test;

    @BeforeAll
    static void start() throws IOException {
        Path idx = Path.of(FASHION);
        spark = SessionSettings.apply(SparkSession.builder().master("local[2]").appName("spark-ml-test"))
                .config("spark.ui.enabled", "false")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .getOrCreate();
        train = frame(idx, "train", 4000);
        test = frame(idx, "t10k", 1000);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        spark = null;
    }

    /**
     * The first {@code count} examples of a Fashion-MNIST split as a user's table: an id, the pixels as
     * a Vector, and the class as a name. Real data, so that a model's accuracy is far from 1 and two
     * scorers agreeing on it means something.
     */
    static Dataset<Row> frame(Path idx, String split, int count) throws IOException {
        byte[] images = gunzip(idx.resolve(split + "-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(idx.resolve(split + "-labels-idx1-ubyte.gz"));
        int n = Math.min(count, ByteBuffer.wrap(labels, 4, 4).getInt());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] pixels = new double[784];
            for (int j = 0; j < 784; j++) pixels[j] = images[16 + i * 784 + j] & 0xff;
            rows.add(RowFactory.create((long) i, Vectors.dense(pixels), "class-" + (char) ('a' + labels[8 + i])));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("pixels", SQLDataTypes.VectorType())
                .add("name", DataTypes.StringType);
        return spark.createDataFrame(rows, schema).repartition(4);
    }

    static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    static TributaryClassifier classifier() {
        return new TributaryClassifier().setFeaturesCol("pixels").setLabelCol("indexed").setInputShape(SHAPE)
                .setFeatureScale(SCALE).setBatchSize(32).setAveragingFrequency(2);
    }

    @Test
    void aPipelineFitsSavesReloadsAndScoresAsTributaryEvaluateDoes() throws Exception {
        Path run = tmp.resolve("pipeline-run");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("name").setOutputCol("indexed"),
                classifier().setEpochs(2).setTestFraction(0.1).setOutput(run.toString())});
        PipelineModel fitted = pipeline.fit(train);
        TributaryClassificationModel trained = (TributaryClassificationModel) fitted.stages()[1];
        assertEquals(10, trained.numClasses());
        assertTrue(trained.heldOutAccuracy() > 0.5, "learnt, not chance (0.1): " + trained.heldOutAccuracy());
        assertTrue(Files.exists(run.resolve("model.zip")), "the run directory is kept when output is set");
        assertEquals(500, (Integer) trained.getOrDefault(trained.scoringBatchSize()),
                "the scoring batch is not the training batch");
        // Saving over the fit's own run directory (overwrite would delete it first) is refused, and the run stays.
        InputException onto = assertThrows(InputException.class, () -> trained.write().overwrite().save(run.toString()));
        assertTrue(onto.getMessage().contains(" is --output "), onto.getMessage());
        assertTrue(Files.exists(run.resolve("model.zip")), "the run directory is untouched");

        Path saved = tmp.resolve("pipeline");
        fitted.write().save(saved.toString());
        PipelineModel reloaded = PipelineModel.load(saved.toString());
        Dataset<Row> scored = reloaded.transform(test).cache();

        assertEquals(List.of("id", "pixels", "name", "indexed", "prediction", "probability", "rawPrediction"),
                Arrays.asList(scored.columns()));
        assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
        assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("probability").dataType());
        assertEquals(test.count(), scored.count(), "one row per input row");
        Row first = scored.orderBy("id").first();
        Vector p = first.getAs("probability");
        assertEquals(10, p.size());
        assertEquals(1.0, Arrays.stream(p.toArray()).sum(), 1e-4, "a distribution");
        assertEquals(p.argmax(), first.<Double>getAs("prediction"), 0.0);

        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("indexed").setMetricName("accuracy")
                .evaluate(scored);
        assertTrue(accuracy > 0.5, "learnt, not chance (0.1): " + accuracy);

        // The same predictions from the model before it was saved, and from the single-row API.
        List<Row> before = fitted.transform(test).orderBy("id").select("prediction").collectAsList();
        assertEquals(before, scored.orderBy("id").select("prediction").collectAsList());
        TributaryClassificationModel loaded = (TributaryClassificationModel) reloaded.stages()[1];
        assertEquals(first.<Double>getAs("prediction"), loaded.predict(first.<Vector>getAs("pixels")), 0.0);
        double[] thresholds = new double[10];
        Arrays.fill(thresholds, 0.5);
        TributaryClassificationModel withThresholds = loaded.copy(ParamMap.empty()).setThresholds(thresholds);
        assertThrows(IllegalArgumentException.class, () -> withThresholds.transform(test));

        // tributary evaluate on the same examples (a Parquet file of the indexed labels) and the saved model file.
        Path parquet = tmp.resolve("test.parquet");
        scored.select("pixels", "indexed").write().parquet(parquet.toString());
        Path modelZip;
        try (Stream<Path> files = Files.walk(saved.resolve("stages"))) {
            modelZip = files.filter(f -> f.getFileName().toString().equals("model.zip")).findFirst().orElseThrow();
        }
        Cli.Run r = Cli.subprocess(Files.createDirectories(tmp.resolve("logs")), List.of(), "evaluate",
                "--model", modelZip.toString(), "--data", parquet.toString(), "--features-col", "pixels",
                "--label-col", "indexed", "--input-shape", SHAPE, "--feature-scale", String.valueOf(SCALE),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.all());
        Map<String, Object> evaluated = Json.readMap(r.out().trim().getBytes(StandardCharsets.UTF_8));
        System.out.printf("spark-ml: reloaded pipeline, MulticlassClassificationEvaluator accuracy %.4f; tributary"
                + " evaluate %s; held out while fitting %.4f%n", accuracy, evaluated.get("accuracy"),
                trained.heldOutAccuracy());
        assertEquals(((Number) evaluated.get("accuracy")).doubleValue(), accuracy, 0.0,
                "Spark's evaluator on the reloaded pipeline gives tributary evaluate's accuracy");
    }

    @Test
    void aCrossValidatorChoosesBetweenTwoLearningRates() {
        Dataset<Row> indexed = new StringIndexer().setInputCol("name").setOutputCol("indexed").fit(train)
                .transform(train).limit(1200);
        TributaryClassifier classifier = classifier().setEpochs(1);
        indexed.cache().count();
        TributaryClassificationModel once = classifier.fit(indexed);
        assertEquals(indexed.count(), once.transform(indexed).count());
        assertNotEquals(StorageLevel.NONE(), indexed.storageLevel(),
                "fitting and scoring leave the caller's cached data cached");
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.learningRate(), new double[] {0.001, 0.003})
                .build();
        CrossValidatorModel cv = new CrossValidator().setEstimator(classifier).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setLabelCol("indexed").setMetricName("accuracy"))
                .setNumFolds(2).setSeed(7).fit(indexed);
        assertEquals(2, cv.avgMetrics().length);
        System.out.printf("spark-ml: cross-validated accuracy %s for learning rates 0.001, 0.003%n",
                Arrays.toString(cv.avgMetrics()));
        for (double m : cv.avgMetrics()) assertTrue(m > 0.3, "each learning rate learns (chance 0.1): " + m);
        TributaryClassificationModel best = (TributaryClassificationModel) cv.bestModel();
        double bestRate = cv.avgMetrics()[0] >= cv.avgMetrics()[1] ? 0.001 : 0.003;
        assertEquals(bestRate, (Double) best.parent().getOrDefault(classifier.learningRate()), 0.0);
    }

    @Test
    void theEstimatorRoundTripsItsParameters() throws IOException {
        TributaryClassifier c = classifier().setModel("lenet5").setLearningRate(0.002).setEpochs(3).setSeed(9);
        Path saved = tmp.resolve("estimator");
        c.save(saved.toString());
        TributaryClassifier loaded = TributaryClassifier.load(saved.toString());
        assertEquals(c.uid(), loaded.uid());
        assertEquals("lenet5", loaded.getOrDefault(loaded.model()));
        assertEquals(0.002, (Double) loaded.getOrDefault(loaded.learningRate()), 0.0);
        assertEquals(3, (Integer) loaded.getOrDefault(loaded.epochs()));
        assertEquals(9L, (Long) loaded.getOrDefault(loaded.seed()));
        assertEquals(SHAPE, loaded.getOrDefault(loaded.inputShape()));
        assertEquals("pixels", loaded.getFeaturesCol());

        Path other = tmp.resolve("indexer");
        new StringIndexer().setInputCol("name").save(other.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TributaryClassifier.load(other.toString()));
        assertTrue(e.getMessage().contains(TributaryClassifier.class.getName()), e.getMessage());
    }

    @Test
    void aBadParameterValueIsRefusedWithTheKeysRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TributaryClassifier().setLearningRate(2.0));
        assertEquals("Invalid value 2.0 for parameter learningRate (the learning-rate key): must be > 0.0 and <= 1.0",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TributaryClassifier().setSync("gossip"));
        assertTrue(e.getMessage().startsWith("Invalid value gossip for parameter sync (the sync key): must be"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TributaryClassifier().setInputShape("28x28"));
        assertTrue(e.getMessage().startsWith("Invalid value 28x28 for parameter inputShape (the input-shape key)"),
                e.getMessage());
    }
}
