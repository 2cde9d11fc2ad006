import io.tributary.job.ml.TributaryClassificationModel;
import io.tributary.job.ml.TributaryClassifier;
import io.tributary.job.spark.SessionSettings;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * A Spark ML Pipeline with Tributary, as docs/spark-ml.md runs it: Fashion-MNIST as Parquet (what
 * `tributary convert` writes: `label` int, `image` binary), class names indexed by a StringIndexer,
 * a TributaryClassifier fitted, the PipelineModel saved, loaded and scored.
 *
 * Arguments: PARQUET_DIR (holding train/ and test/) OUTPUT_DIR [EPOCHS]
 */
public class SparkMlPipeline {
    static final String[] NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"};

    public static void main(String[] args) throws Exception {
        String data = args[0];
        String output = args[1];
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        // The master comes from spark-submit or -Dspark.master; SessionSettings adds Tributary's serializer settings.
        SparkSession spark = SessionSettings.apply(SparkSession.builder().appName("tributary-spark-ml")).getOrCreate();
        spark.udf().register("pixels", (UDF1<byte[], Vector>) SparkMlPipeline::pixels, SQLDataTypes.VectorType());

        Dataset<Row> train = examples(spark, data + "/train");
        Dataset<Row> test = examples(spark, data + "/test");

        StringIndexer indexer = new StringIndexer().setInputCol("class").setOutputCol("label_index");
        TributaryClassifier classifier = new TributaryClassifier()
                .setFeaturesCol("features").setLabelCol("label_index")
                .setInputShape("1,28,28").setFeatureScale(1.0 / 255)
                .setModel("seed-cnn").setEpochs(epochs).setLearningRate(0.001);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {indexer, classifier});
        PipelineModel model = pipeline.fit(train);
        model.write().overwrite().save(output);

        PipelineModel loaded = PipelineModel.load(output);
        StringIndexerModel fittedIndexer = (StringIndexerModel) loaded.stages()[0];
        Dataset<Row> scored = new IndexToString().setInputCol("prediction").setOutputCol("predicted_class")
                .setLabels(fittedIndexer.labelsArray()[0]).transform(loaded.transform(test));
        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("label_index")
                .setMetricName("accuracy").evaluate(scored);
        TributaryClassificationModel network = (TributaryClassificationModel) loaded.stages()[1];
        System.out.printf("test accuracy %.4f (held out while fitting: %.4f)%n", accuracy, network.heldOutAccuracy());
        scored.select("class", "predicted_class", "probability").show(5, 60);
        spark.stop();
    }

    /** The Parquet rows as a user's table: pixels as a Vector and the class by name. */
    static Dataset<Row> examples(SparkSession spark, String path) {
        String names = "array('" + String.join("','", NAMES) + "')";
        return spark.read().parquet(path)
                .selectExpr("pixels(image) AS features", "element_at(" + names + ", label + 1) AS class");
    }

    static Vector pixels(byte[] image) {
        double[] values = new double[image.length];
        for (int i = 0; i < image.length; i++) values[i] = image[i] & 0xff;
        return Vectors.dense(values);
    }
}
