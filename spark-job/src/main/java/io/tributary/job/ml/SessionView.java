package io.tributary.job.ml;

import io.tributary.job.read.DataReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A dataset as a temporary view of its session, so the one data reader reads it as the table
 * {@code table:NAME} ({@link DataReader}); the view is dropped on close. The name is the stage's uid
 * with a counter, unique within the JVM (a CrossValidator fits copies of one stage).
 */
final class SessionView implements AutoCloseable {
    private static final AtomicLong NEXT = new AtomicLong();

    private final SparkSession spark;
    private final String name;

    private SessionView(SparkSession spark, String name) {
        this.spark = spark;
        this.name = name;
    }

    static SessionView of(Dataset<Row> data, String owner) {
        String name = owner.replaceAll("[^A-Za-z0-9_]", "_") + "_input_" + NEXT.incrementAndGet();
        data.createOrReplaceTempView(name);
        return new SessionView(data.sparkSession(), name);
    }

    /** The view as {@code --data} names a table. */
    String location() {
        return DataReader.TABLE_PREFIX + name;
    }

    /** Drops the view through the session's catalog: Catalog.dropTempView would also uncache the caller's own data. */
    @Override
    public void close() {
        spark.sessionState().catalog().dropTempView(name);
    }
}
