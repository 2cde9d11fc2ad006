package io.tributary.tests;

import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.job.read.ExampleRows;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input in tables and CSV files: what the driver sees in a schema or header is refused before any
 * task runs; a bad row fails the job with an input error naming its file (and line), the value and
 * the rule, or, with on-bad-record skip, is left out and counted.
 */
class TableRowsBadInputTest extends TableRowsFixture {
    static final StructType ARRAY_INT_LABEL = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("label", DataTypes.IntegerType);

    /** Reads with fail (returns the message) and with skip (checks one row left out of {@code total}). */
    static String failsOrSkipsOneRow(String path, DataFormat format, String shape, int numClasses, int total) {
        String message = inputError(() -> read(path, config(format, null, shape, numClasses, BadRecordPolicy.FAIL))
                .rows().collectAsList());
        LongAccumulator skipped = spark.sparkContext().longAccumulator("skipped");
        ExampleRows rows = read(path, config(format, null, shape, numClasses, BadRecordPolicy.SKIP), skipped);
        assertEquals(total - 1, rows.rows().collectAsList().size());
        assertEquals(1, skipped.value(), "one bad row counted");
        return message;
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + p + "' in: " + message);
    }

    @Test
    void aMissingColumnIsNamedWithTheAvailableOnes() {
        StructType schema = new StructType().add("pixels", DataTypes.BinaryType).add("y", DataTypes.IntegerType);
        String path = write(frame(schema, RowFactory.create(new byte[] {1}, 0)), "parquet", "missing.parquet");

        assertEquals("Neither column features nor image is in " + path + "; its columns are [pixels, y]"
                        + " (name the features column with --features-col)",
                inputError(() -> read(path, config(DataFormat.PARQUET, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
        assertEquals("Column label (--label-col) is not in " + path + "; its columns are [pixels, y]",
                inputError(() -> read(path, config(DataFormat.PARQUET, "pixels", "1,1,1", 0, BadRecordPolicy.FAIL))));
        String csv = csv("missing-csv", "a.csv", "x,y\n1,2\n");
        assertEquals("Column label (--label-col) is not in file:" + csv + "/a.csv; its columns are [x, y]",
                inputError(() -> read(csv, config(DataFormat.CSV, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
    }

    @Test
    void aColumnOfTheWrongTypeIsRefusedWithTheTypesAccepted() {
        StructType schema = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.BooleanType)
                .add("ok", DataTypes.createArrayType(DataTypes.FloatType));
        String path = write(frame(schema, RowFactory.create("1 2", true, new float[] {1})), "parquet", "types.parquet");

        assertEquals("Column features of " + path + " is string; features must be an array of numbers, a Spark ML"
                        + " Vector, binary (raw bytes) or Spark's image struct",
                inputError(() -> read(path, config(DataFormat.PARQUET, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
        assertEquals("Column label of " + path + " is boolean; labels must be integers 0..K-1 (byte, short, int or long,"
                        + " or whole numbers in a float or double column, as Spark ML's indexers write them) or strings"
                        + " (class names)",
                inputError(() -> read(path, config(DataFormat.PARQUET, "ok", "1,1,1", 0, BadRecordPolicy.FAIL))));
    }

    @Test
    void theInputShapeIsRequiredWhenTheDataDoesNotSayIt() {
        String path = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1, 2}, 0)), "parquet", "noshape.parquet");
        assertEquals("--input-shape C,H,W is required for " + path + ": its column features (array<double>) does not"
                        + " say the examples' shape",
                inputError(() -> read(path, config(DataFormat.PARQUET, null, null, 0, BadRecordPolicy.FAIL))));
        String columns = csv("columns-shape", "a.csv", "a,b,label\n1,2,0\n");
        assertContains(inputError(() -> read(columns, config(DataFormat.CSV, null, "1,1,3", 0, BadRecordPolicy.FAIL))),
                "a.csv has 2 feature columns (all but label), but --input-shape 1,1,3 needs 3");
    }

    @Test
    void aFeaturesLengthThatDoesNotMatchTheShape() {
        String path = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1, 2, 3, 4}, 0),
                RowFactory.create(new double[] {1, 2, 3}, 1)), "parquet", "length.parquet");
        assertContains(failsOrSkipsOneRow(path, DataFormat.PARQUET, "1,2,2", 0, 2),
                "length.parquet/part-", ": column features has 3 values, but --input-shape 1,2,2 needs 4");
    }

    @Test
    void aLabelOutOfRange() {
        String path = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1}, 1),
                RowFactory.create(new double[] {2}, 3)), "parquet", "range.parquet");
        assertContains(failsOrSkipsOneRow(path, DataFormat.PARQUET, "1,1,1", 3, 2),
                "range.parquet/part-", ": label 3 in column label is out of range; labels must be 0..2 (3 classes)");
        String negative = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1}, 1),
                RowFactory.create(new double[] {2}, -1)), "parquet", "negative.parquet");
        assertContains(failsOrSkipsOneRow(negative, DataFormat.PARQUET, "1,1,1", 0, 2),
                ": label -1 in column label is out of range; labels must be 0..1 (2 classes)");
    }

    @Test
    void aFractionalLabelInADoubleColumn() {
        StructType doubles = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType);
        String path = write(frame(doubles, RowFactory.create(new double[] {1}, 1.0),
                RowFactory.create(new double[] {2}, 0.5), RowFactory.create(new double[] {3}, 2.0)), "parquet",
                "fraction.parquet");
        assertContains(failsOrSkipsOneRow(path, DataFormat.PARQUET, "1,1,1", 0, 3),
                "fraction.parquet/part-", ": label 0.5 in column label is not a whole number; labels must be 0..2 (3 classes)");
    }

    @Test
    void aNullLabel() {
        String path = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1}, 1),
                RowFactory.create(new double[] {2}, null)), "parquet", "null.parquet");
        assertContains(failsOrSkipsOneRow(path, DataFormat.PARQUET, "1,1,1", 0, 2),
                "null.parquet/part-", ": column label is null; every example needs a label (labels must be 0..1 (2 classes))");
    }

    @Test
    void aNonIntegerLabelInCsv() {
        String path = csv("fraction.csv", "part-0.csv", "label,x\n0,1\n1.5,2\n2,3\n");
        assertContains(failsOrSkipsOneRow(path, DataFormat.CSV, "1,1,1", 0, 3),
                "fraction.csv/part-0.csv, line 3: label \"1.5\" in column label is not an integer; labels must be 0..2");
    }

    @Test
    void nanAndInfiniteFeatures() {
        String nan = write(frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1, 2}, 0),
                RowFactory.create(new double[] {3, Double.NaN}, 1)), "parquet", "nan.parquet");
        assertContains(failsOrSkipsOneRow(nan, DataFormat.PARQUET, "2,1,1", 0, 2),
                "nan.parquet/part-", ": features[1] is NaN; features must be finite numbers");

        StructType vectors = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.IntegerType);
        String inf = write(frame(vectors, RowFactory.create(Vectors.dense(Double.NEGATIVE_INFINITY, 1), 0),
                RowFactory.create(Vectors.dense(1, 1), 1)), "parquet", "inf.parquet");
        assertContains(failsOrSkipsOneRow(inf, DataFormat.PARQUET, "2,1,1", 0, 2),
                ": features[0] is -Infinity; features must be finite numbers");

        String big = csv("big.csv", "a.csv", "label,x\n0,1e300\n1,2\n");
        assertContains(failsOrSkipsOneRow(big, DataFormat.CSV, "1,1,1", 0, 2),
                "a.csv, line 2: x is 1.0E300; features must be finite numbers within the 32-bit float range");
    }

    @Test
    void aCsvRowWithTheWrongNumberOfFieldsNamesItsFileAndLine() {
        String path = csv("fields.csv", "part-0.csv", "label,a,b\n0,1,2\n", "part-1.csv", "label,a,b\n1,1,2\n\n1,2\n");
        assertContains(failsOrSkipsOneRow(path, DataFormat.CSV, "2,1,1", 0, 3),
                "fields.csv/part-1.csv, line 4: the row has 2 fields, but the header has 3");
        String words = csv("words.csv", "a.csv", "label,a\n0,x7\n1,2\n");
        assertContains(failsOrSkipsOneRow(words, DataFormat.CSV, "1,1,1", 0, 2),
                "a.csv, line 2: field a \"x7\" is not a number; features must be finite numbers");
        String quote = csv("quote.csv", "a.csv", "label,a\n0,\"1\n1,2\n");
        assertContains(failsOrSkipsOneRow(quote, DataFormat.CSV, "1,1,1", 0, 2),
                "a.csv, line 2: a quoted field is not closed on its line");
    }

    @Test
    void aCsvFileWithAnotherHeaderFailsWhateverThePolicy() {
        String path = csv("headers.csv", "a.csv", "label,x\n0,1\n", "b.csv", "label,y\n1,2\n");
        assertContains(inputError(() -> read(path, config(DataFormat.CSV, null, "1,1,1", 2, BadRecordPolicy.SKIP))
                        .rows().collectAsList()),
                "headers.csv/b.csv: the header [label, y] differs from [label, x] in ", "every CSV file starts with the same header");
    }

    @Test
    void emptyAndAbsentData() {
        String empty = write(frame(ARRAY_INT_LABEL), "parquet", "empty.parquet");
        assertEquals(empty + " holds no rows with a label in column label; training needs at least one labelled row",
                inputError(() -> read(empty, config(DataFormat.PARQUET, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
        assertEquals(empty + " holds no examples; training needs at least one row",
                inputError(() -> read(empty, config(DataFormat.PARQUET, null, "1,1,1", 4, BadRecordPolicy.FAIL))));
        String absent = dir.resolve("absent").toString();
        assertEquals("--data " + absent + " does not exist",
                inputError(() -> read(absent, config(DataFormat.ORC, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
        assertEquals("--data " + absent + " does not exist",
                inputError(() -> read(absent, config(DataFormat.CSV, null, "1,1,1", 0, BadRecordPolicy.FAIL))));
        assertContains(inputError(() -> read("table:no_such_table", config(DataFormat.TABLE, null, "1,1,1", 0,
                BadRecordPolicy.FAIL))), "Cannot read --data table:no_such_table: ", "no_such_table");
        String headerOnly = csv("header-only.csv", "a.csv", "label,x\n");
        assertContains(inputError(() -> read(headerOnly, config(DataFormat.CSV, null, "1,1,1", 0, BadRecordPolicy.FAIL))),
                "holds no rows with a label in column label");
    }

    @Test
    void theErrorNamesTheTableWhenTheRowsAreNotInFiles() {
        frame(ARRAY_INT_LABEL, RowFactory.create(new double[] {1}, 7)).createOrReplaceTempView("in_memory");
        assertEquals("table:in_memory: label 7 in column label is out of range; labels must be 0..1 (2 classes)"
                        + " (--on-bad-record skip leaves such rows out)",
                inputError(() -> read("table:in_memory", new DataConfig(DataFormat.TABLE, null, "label", "1,1,1", 2,
                        0.0, null, 0.0, BadRecordPolicy.FAIL, CacheLevel.MEMORY)).rows().collectAsList()));
        assertEquals(List.of(), read("table:in_memory", config(DataFormat.TABLE, null, "1,1,1", 2, BadRecordPolicy.SKIP))
                .rows().collectAsList());
    }
}
