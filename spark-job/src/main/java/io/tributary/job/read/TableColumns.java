package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.mllib.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * On the driver: the features and label columns of a table's schema and how each is stored. A
 * missing column is refused with the available ones; a column of a type Tributary cannot read is
 * refused with the types it can.
 *
 * @param features the features column's name
 * @param label    the label column's name; {@code null} for data to score that has none
 */
record TableColumns(String features, FeatureKind featureKind, String label, LabelKind labelKind) {
    /** The features column when none is named: this, else {@link #IMAGE_COLUMN} (Spark's image source). */
    static final String DEFAULT_FEATURES = "features";
    static final String IMAGE_COLUMN = "image";
    private static final Set<String> IMAGE_FIELDS = Set.of("height", "width", "nChannels", "data");

    static TableColumns of(StructType schema, DataConfig config, String source) {
        return of(schema, config, source, false);
    }

    /**
     * The columns of {@code schema}; with {@code labelOptional} (scoring) a missing label column gives
     * {@code label} and {@code labelKind} {@code null} instead of an error.
     */
    static TableColumns of(StructType schema, DataConfig config, String source, boolean labelOptional) {
        List<String> names = Arrays.asList(schema.fieldNames());
        String features = config.featuresCol();
        if (features == null) {
            features = names.contains(DEFAULT_FEATURES) || !names.contains(IMAGE_COLUMN) ? DEFAULT_FEATURES : IMAGE_COLUMN;
        }
        if (!names.contains(features)) {
            throw new InputException(config.featuresCol() == null
                    ? "Neither column " + DEFAULT_FEATURES + " nor " + IMAGE_COLUMN + " is in " + source + "; its columns are "
                            + names + " (name the features column with --features-col)"
                    : missing("--features-col", features, source, names));
        }
        if (!names.contains(config.labelCol())) {
            if (labelOptional) {
                return new TableColumns(features, featureKind(schema.apply(features), source), null, null);
            }
            throw new InputException(missing("--label-col", config.labelCol(), source, names));
        }
        return new TableColumns(features, featureKind(schema.apply(features), source),
                config.labelCol(), labelKind(schema.apply(config.labelCol()), source));
    }

    static String missing(String flag, String column, String source, List<String> names) {
        return "Column " + column + " (" + flag + ") is not in " + source + "; its columns are " + names;
    }

    private static FeatureKind featureKind(StructField field, String source) {
        DataType t = field.dataType();
        if (t instanceof ArrayType a && numeric(a.elementType())) return FeatureKind.NUMBERS;
        if (t.equals(SQLDataTypes.VectorType()) || t.equals(new VectorUDT())) {
            return FeatureKind.VECTOR;
        }
        if (t instanceof BinaryType) return FeatureKind.BINARY;
        if (t instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(IMAGE_FIELDS)
                && s.apply("data").dataType() instanceof BinaryType) {
            return FeatureKind.IMAGE;
        }
        throw new InputException("Column " + field.name() + " of " + source + " is " + t.simpleString()
                + "; features must be an array of numbers, a Spark ML Vector, binary (raw bytes) or Spark's image struct");
    }

    private static boolean numeric(DataType t) {
        return t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType
                || t instanceof FloatType || t instanceof DoubleType;
    }

    private static LabelKind labelKind(StructField field, String source) {
        DataType t = field.dataType();
        if (t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType
                || t instanceof FloatType || t instanceof DoubleType) {
            return LabelKind.INTEGRAL;
        }
        if (t instanceof StringType) return LabelKind.NAMES;
        throw new InputException("Column " + field.name() + " of " + source + " is " + t.simpleString()
                + "; labels must be integers 0..K-1 (byte, short, int or long, or whole numbers in a float or double column, as"
                + " Spark ML's indexers write them) or strings (class names)");
    }

    /** A column by its exact name, whatever characters it holds (dots would otherwise mean a struct's field). */
    static Column quoted(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
