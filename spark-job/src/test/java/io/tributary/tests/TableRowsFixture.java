package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.TableRows;
import io.tributary.job.spark.SparkConfs;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A local[2] Spark session with Tributary's configuration (Kryo, registration required; no Hive: an
 * in-memory catalog with its warehouse in a temporary directory), and helpers that write data with it
 * and read it back through {@link TableRows}.
 */
abstract class TableRowsFixture {
    static final StructType EXAMPLE_FLOATS = new StructType()
            .add(ExampleRows.FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(ExampleRows.LABEL, DataTypes.IntegerType, false);
    static final StructType EXAMPLE_BYTES = new StructType()
            .add(ExampleRows.FEATURES, DataTypes.BinaryType, false)
            .add(ExampleRows.LABEL, DataTypes.IntegerType, false);

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(SparkConfs.build("table-rows-test", "local[2]")
                .set("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
                .set("spark.ui.enabled", "false")).getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        spark = null;
    }

    static DataConfig config(DataFormat format, String featuresCol, String shape, int numClasses, BadRecordPolicy policy) {
        return new DataConfig(format, featuresCol, "label", shape, numClasses, 0.0, null, 0.0, policy, CacheLevel.MEMORY);
    }

    /** Writes a frame with Spark, in two partitions (so two files), and returns its directory. */
    static String write(Dataset<Row> df, String format, String name) {
        String path = dir.resolve(name).toString();
        df.repartition(2).write().format(format).save(path);
        return path;
    }

    static Dataset<Row> frame(StructType schema, Row... rows) {
        return spark.createDataFrame(Arrays.asList(rows), schema);
    }

    /** CSV files (name, then content, repeated) in a new directory. */
    static String csv(String name, String... files) {
        Path d = dir.resolve(name);
        try {
            Files.createDirectories(d);
            for (int i = 0; i < files.length; i += 2) Files.writeString(d.resolve(files[i]), files[i + 1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d.toString();
    }

    static ExampleRows read(String location, DataConfig config) {
        return read(location, config, null);
    }

    static ExampleRows read(String location, DataConfig config, LongAccumulator skipped) {
        return DataSources.open(location, config, spark.sparkContext().hadoopConfiguration())
                .rows(spark, 0, null, skipped);
    }

    /** The rows, ordered by their first feature value (examples in these tests differ there). */
    static List<Row> sortedByFirstFeature(ExampleRows rows) {
        return rows.rows().collectAsList().stream()
                .sorted(Comparator.comparingDouble(r -> r.get(0) instanceof byte[] b ? b[0]
                        : ((Number) r.getList(0).get(0)).doubleValue())).toList();
    }

    static float[] floats(Row r) {
        List<Object> values = r.getList(0);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = (Float) values.get(i);
        return out;
    }

    static List<Integer> labels(List<Row> rows) {
        return rows.stream().map(r -> r.getInt(1)).toList();
    }

    /** The input error that {@code run} throws, on the driver or wrapped by Spark from a task. */
    static String inputError(Executable run) {
        Throwable thrown = assertThrows(Throwable.class, run);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof InputException) return t.getMessage();
        }
        fail("not an input error", thrown);
        return null;
    }
}
