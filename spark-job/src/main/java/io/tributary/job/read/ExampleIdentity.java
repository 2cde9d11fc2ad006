package io.tributary.job.read;

import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * An example's identity: a 64-bit hash of its content (its features' values and its label). Whatever
 * decides something per example (which examples are held out, which are kept by a limit, which model
 * replica trains an example and where it comes in that replica's order) decides it from the identity, so
 * the decision depends on the data alone, never on how Spark cut it into partitions (that depends on the
 * executors' cores and the files' split sizes). Two examples with the same content are the same example
 * to training, so a tie between identities is broken by content, and a tie in content needs no breaking.
 */
public final class ExampleIdentity {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** Salt of the held-out split's draw, so it is independent of the other seeded uses of the identity. */
    private static final long SPLIT_SALT = 0x5851F42D4C957F2DL;

    private ExampleIdentity() {
    }

    /** The identity of an example row of {@link ExampleRows} (features first, then the label). */
    public static long of(Row row, int values) {
        return of(row.get(0), row.getInt(1), values);
    }

    /** The identity of an example whose features are bytes, or floats in any form Spark hands them over. */
    static long of(Object features, int label, int values) {
        if (features instanceof byte[] bytes) {
            return of(bytes, label);
        }
        float[] floats = new float[values];
        ExampleRows.copyFloats(features, floats, 0, values);
        return of(floats, label);
    }

    /** The identity of an example of byte features. */
    public static long of(byte[] features, int label) {
        long h = mix(GOLDEN ^ features.length);
        int i = 0;
        for (; i + 8 <= features.length; i += 8) {
            long word = 0;
            for (int k = 7; k >= 0; k--) {
                word = (word << 8) | (features[i + k] & 0xffL);
            }
            h = mix(h ^ word) + GOLDEN;
        }
        long tail = 0;
        for (int k = features.length - 1; k >= i; k--) {
            tail = (tail << 8) | (features[k] & 0xffL);
        }
        return mix(mix(h ^ tail) ^ (label + 1L));
    }

    /** The identity of an example of float features (by their bits: 0.0 and -0.0 differ). */
    public static long of(float[] features, int label) {
        long h = mix(~GOLDEN ^ features.length);
        int i = 0;
        for (; i + 2 <= features.length; i += 2) {
            long word = ((long) Float.floatToIntBits(features[i + 1]) << 32)
                    | (Float.floatToIntBits(features[i]) & 0xffffffffL);
            h = mix(h ^ word) + GOLDEN;
        }
        long tail = i < features.length ? Float.floatToIntBits(features[i]) & 0xffffffffL : 0;
        return mix(mix(h ^ tail) ^ (label + 1L));
    }

    /** A well-mixed function of {@code z} (SplitMix64's finaliser): every input bit moves about half the output bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A value in [0, 1) drawn from the identity and {@code seed}: uniform over examples, fixed for each. */
    public static double uniform(long identity, long seed) {
        return (mix(identity ^ mix(seed ^ SPLIT_SALT)) >>> 11) * 0x1.0p-53;
    }

    /**
     * The first {@code n} examples of {@code rows} in the order of their identities, ties broken by
     * content: which examples a plain {@code limit} keeps depends on the order Spark reads the files'
     * splits in, these do not.
     */
    public static Dataset<Row> first(ExampleRows rows, int n) {
        String identity = "_tributary_identity";
        Column id = functions.udf(new Of(rows.shape().size()), DataTypes.LongType)
                .apply(functions.col(ExampleRows.FEATURES), functions.col(ExampleRows.LABEL));
        return rows.rows().withColumn(identity, id)
                .orderBy(functions.col(identity), functions.col(ExampleRows.FEATURES), functions.col(ExampleRows.LABEL))
                .limit(n).drop(identity);
    }

    /** The identity of a row's features and label, as a Spark SQL function. */
    private static final class Of implements UDF2<Object, Integer, Long> {
        private final int values;

        Of(int values) {
            this.values = values;
        }

        @Override
        public Long call(Object features, Integer label) {
            return ExampleIdentity.of(features, label, values);
        }
    }

    /**
     * Keeps the rows on one side of a seeded split: an example is held out when its draw
     * ({@link #uniform}) is below {@code fraction}. The split is a function of each example's content and
     * the seed alone, so it is the same however the data is partitioned.
     */
    public static final class HeldOut implements FilterFunction<Row> {
        private final double fraction;
        private final long seed;
        private final int values;
        private final boolean heldOut;

        /**
         * @param values  feature values of one example
         * @param heldOut true to keep the held-out side, false the training side
         */
        public HeldOut(double fraction, long seed, int values, boolean heldOut) {
            this.fraction = fraction;
            this.seed = seed;
            this.values = values;
            this.heldOut = heldOut;
        }

        @Override
        public boolean call(Row row) {
            return (uniform(of(row, values), seed) < fraction) == heldOut;
        }
    }
}
