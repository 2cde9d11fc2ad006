package io.tributary.tests;

import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.DataFormat;
import io.tributary.job.read.ExampleRows;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Parquet, ORC, CSV and Spark tables, generated in the test, become rows of one example each: the
 * schema of {@link ExampleRows}, the values exactly, labels as indices and names as sorted classes.
 */
class TableRowsTest extends TableRowsFixture {
    @Test
    void parquetWithAnArrayOfDoublesAndIntegerLabels() {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.IntegerType);
        String path = write(frame(schema,
                RowFactory.create("a", new double[] {0, 0.5, 1, 1.5}, 0),
                RowFactory.create("b", new double[] {1, -2.25, 3, 4}, 2),
                RowFactory.create("c", new double[] {2, 1e-3, 0, 0}, 1)), "parquet", "array.parquet");

        ExampleRows rows = read(path, config(DataFormat.PARQUET, null, "1,2,2", 0, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_FLOATS, rows.rows().schema());
        assertEquals(3, rows.numClasses(), "inferred from the largest label");
        assertNull(rows.classNames());
        assertFalse(rows.byteFeatures());
        assertEquals("1,2,2", rows.shape().toString());
        assertEquals(path, rows.source());
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, floats(r.get(0)));
        assertArrayEquals(new float[] {1, -2.25f, 3, 4}, floats(r.get(1)));
        assertArrayEquals(new float[] {2, 1e-3f, 0, 0}, floats(r.get(2)));
        assertEquals(List.of(0, 2, 1), labels(r));
    }

    @Test
    void parquetWithVectorsAndStringLabelsMapsTheSortedNamesToIndices() {
        StructType schema = new StructType()
                .add("label", DataTypes.StringType)
                .add("vec", SQLDataTypes.VectorType());
        String path = write(frame(schema,
                RowFactory.create("dog", Vectors.dense(1, 2, 3)),
                RowFactory.create("ant", Vectors.sparse(3, new int[] {1}, new double[] {7})),
                RowFactory.create("cat", Vectors.dense(3, 0, -1)),
                RowFactory.create("dog", Vectors.dense(4, 4, 4))), "parquet", "vectors.parquet");

        ExampleRows rows = read(path, config(DataFormat.PARQUET, "vec", "3,1,1", 0, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_FLOATS, rows.rows().schema());
        assertEquals(List.of("ant", "cat", "dog"), rows.classNames());
        assertEquals(3, rows.numClasses());
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new float[] {0, 7, 0}, floats(r.get(0)), "a sparse vector, made dense");
        assertArrayEquals(new float[] {1, 2, 3}, floats(r.get(1)));
        assertArrayEquals(new float[] {3, 0, -1}, floats(r.get(2)));
        assertEquals(List.of(0, 2, 1, 2), labels(r), "ant 0, cat 1, dog 2");
    }

    @Test
    void orcWithIntegerArraysLongLabelsAndTheGivenNumberOfClasses() {
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("label", DataTypes.LongType);
        String path = write(frame(schema,
                RowFactory.create(new int[] {1, 2}, 0L),
                RowFactory.create(new int[] {5, -6}, 3L)), "orc", "ints.orc");

        ExampleRows rows = read(path, config(DataFormat.ORC, null, "2,1,1", 10, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_FLOATS, rows.rows().schema());
        assertEquals(10, rows.numClasses(), "as given, not inferred");
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new float[] {1, 2}, floats(r.get(0)));
        assertArrayEquals(new float[] {5, -6}, floats(r.get(1)));
        assertEquals(List.of(0, 3), labels(r));
    }

    @Test
    void csvWithOneColumnPerFeature() {
        String path = csv("columns.csv",
                "part-0.csv", "px0,label,px1,px2\n0.5,1,2,3\n\n1.5, 0 ,-2,1e2\n",
                "part-1.csv", "px0,label,px1,px2\r\n2.5,2,0,\"7\"\r\n");

        ExampleRows rows = read(path, config(DataFormat.CSV, null, "1,1,3", 0, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_FLOATS, rows.rows().schema());
        assertEquals(3, rows.numClasses());
        assertNull(rows.classNames(), "numeric labels are indices");
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new float[] {0.5f, 2, 3}, floats(r.get(0)));
        assertArrayEquals(new float[] {1.5f, -2, 100}, floats(r.get(1)));
        assertArrayEquals(new float[] {2.5f, 0, 7}, floats(r.get(2)));
        assertEquals(List.of(1, 0, 2), labels(r));
    }

    @Test
    void csvWithOneDelimitedFeaturesFieldAndClassNames() {
        String path = csv("delimited.csv", "data.csv",
                "id,label,features\n7,\"shirt, long\",1 2;3  4\n8,boot,5;6;7;8\n9,\"shirt, long\",9 9 9 9\n");

        ExampleRows rows = read(path, config(DataFormat.CSV, null, "1,2,2", 0, BadRecordPolicy.FAIL));

        assertEquals(List.of("boot", "shirt, long"), rows.classNames());
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(r.get(0)));
        assertArrayEquals(new float[] {5, 6, 7, 8}, floats(r.get(1)));
        assertEquals(List.of(1, 0, 1), labels(r));
    }

    @Test
    void aTableInTheSessionsCatalogWithRawBytes() {
        StructType schema = new StructType()
                .add("features", DataTypes.BinaryType)
                .add("label", DataTypes.ShortType);
        frame(schema, RowFactory.create(new byte[] {1, (byte) 255}, (short) 1),
                RowFactory.create(new byte[] {2, 0}, (short) 0)).write().saveAsTable("pixels");
        frame(schema, RowFactory.create(new byte[] {3, 4}, (short) 1)).createOrReplaceTempView("more_pixels");

        ExampleRows saved = read("table:pixels", config(DataFormat.TABLE, null, "1,1,2", 0, BadRecordPolicy.FAIL));
        ExampleRows view = read("table:more_pixels", config(DataFormat.TABLE, null, "2,1,1", 2, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_BYTES, saved.rows().schema());
        assertTrue(saved.byteFeatures());
        assertEquals(2, saved.numClasses());
        List<Row> r = sortedByFirstFeature(saved);
        assertArrayEquals(new byte[] {1, (byte) 255}, (byte[]) r.get(0).get(0), "bytes stay unsigned bytes");
        assertArrayEquals(new byte[] {2, 0}, (byte[]) r.get(1).get(0));
        assertEquals(List.of(1, 0), labels(r));
        assertArrayEquals(new byte[] {3, 4}, (byte[]) view.rows().first().get(0));
    }

    @Test
    void sparksImageStructBecomesChannelMajorRgbOfItsOwnShape() {
        // Two 1x2 BGR images: pixel (0,0) then (0,1), each blue, green, red.
        byte[] bgr = {1, 2, 3, 4, 5, 6};
        byte[] bgr2 = {11, 12, 13, 14, 15, 16};
        StructType schema = new StructType().add("image", ImageSchema.columnSchema()).add("label", DataTypes.IntegerType);
        String path = write(frame(schema,
                RowFactory.create(RowFactory.create("file:/a.png", 1, 2, 3, 16, bgr), 1),
                RowFactory.create(RowFactory.create("file:/b.png", 1, 2, 3, 16, bgr2), 0)), "parquet", "images.parquet");

        ExampleRows rows = read(path, config(DataFormat.PARQUET, null, null, 0, BadRecordPolicy.FAIL));

        assertEquals(EXAMPLE_BYTES, rows.rows().schema());
        assertEquals("3,1,2", rows.shape().toString(), "from the first image");
        List<Row> r = sortedByFirstFeature(rows);
        assertArrayEquals(new byte[] {3, 6, 2, 5, 1, 4}, (byte[]) r.get(0).get(0), "red plane, green plane, blue plane");
        assertArrayEquals(new byte[] {13, 16, 12, 15, 11, 14}, (byte[]) r.get(1).get(0));
        assertEquals(List.of(1, 0), labels(r));
    }
}
