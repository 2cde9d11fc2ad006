package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Table;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.util.List;

import static io.tributary.job.read.TableColumns.quoted;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.size;

/**
 * Parquet, ORC and CSV files and Spark tables ({@code table:NAME}) as {@link ExampleRows}. The driver
 * reads the schema (a CSV file's header), and, from the label column alone, the class names or the
 * largest label when {@code --num-classes} is not given; executors read and check the rows.
 */
public final class TableRows implements RowSource {
    /** How {@code --data} names a Spark table. */
    public static final String TABLE_PREFIX = "table:";

    @Override
    public ExampleRows read(SparkSession spark, String location, DataConfig config, Configuration hadoopConf,
                            LongAccumulator skipped) {
        return switch (config.format()) {
            case PARQUET, ORC -> fromTable(load(spark, location, config.format(), hadoopConf), location, config, skipped);
            case TABLE -> fromTable(table(spark, location), location, config, skipped);
            case CSV -> fromCsv(spark, location, config, hadoopConf, skipped);
            default -> throw new IllegalArgumentException("TableRows reads parquet, orc, csv and table, not " + config.format().label());
        };
    }

    private static ExampleRows fromTable(Dataset<Row> df, String source, DataConfig config, LongAccumulator skipped) {
        TableColumns columns = TableColumns.of(df.schema(), config, source);
        Dataset<Row> label = df.select(quoted(columns.label()).as(LabelClasses.VALUE));
        LabelClasses classes = columns.labelKind() == LabelKind.NAMES
                ? LabelClasses.names(label, columns.label(), source, config.numClasses())
                : LabelClasses.integral(label, columns.label(), source, config.numClasses());
        InputShape shape = config.shape() != null ? config.shape()
                : columns.featureKind() == FeatureKind.IMAGE ? firstImageShape(df, columns.features(), source)
                : refuseWithoutShape(columns.features(), df.schema().apply(columns.features()).dataType(), source);
        RowPlan plan = new RowPlan(columns.featureKind(), columns.features(), classes.kind(), columns.label(), shape,
                config.shape() != null, classes.numClasses(), classes.classNames(), config.onBadRecord(), source,
                null, -1, -1);
        // input_file_name() must sit right above the scan; for data that is not in files it is "".
        Dataset<Row> source3 = df.select(quoted(columns.features()), quoted(columns.label()), input_file_name());
        return examples(source3, plan, skipped);
    }

    private static ExampleRows fromCsv(SparkSession spark, String location, DataConfig config, Configuration hadoopConf,
                                       LongAccumulator skipped) {
        CsvLines.Header header = CsvLines.header(location, hadoopConf);
        List<String> names = header.columns();
        String features = config.featuresCol() != null ? config.featuresCol()
                : names.contains(TableColumns.DEFAULT_FEATURES) ? TableColumns.DEFAULT_FEATURES : null;
        if (features != null && !names.contains(features)) {
            throw new InputException(TableColumns.missing("--features-col", features, header.file(), names));
        }
        if (!names.contains(config.labelCol())) {
            throw new InputException(TableColumns.missing("--label-col", config.labelCol(), header.file(), names));
        }
        InputShape shape = config.shape() != null ? config.shape()
                : refuseWithoutShape(features == null ? "features" : features, DataTypes.StringType, location);
        int labelIndex = names.indexOf(config.labelCol());
        if (features == null && names.size() - 1 != shape.size()) {
            throw new InputException(header.file() + " has " + (names.size() - 1) + " feature columns (all but "
                    + config.labelCol() + "), but --input-shape " + shape + " needs " + shape.size());
        }
        Dataset<Row> lines = CsvLines.read(spark, location, header, hadoopConf);
        Dataset<Row> label = lines.where(size(col("fields")).equalTo(names.size()))
                .select(element_at(col("fields"), labelIndex + 1).as(LabelClasses.VALUE));
        LabelClasses classes = LabelClasses.csv(label, config.labelCol(), location, config.numClasses());
        RowPlan plan = new RowPlan(features == null ? FeatureKind.CSV_COLUMNS : FeatureKind.CSV_DELIMITED,
                features == null ? "features" : features, classes.kind(), config.labelCol(), shape, true,
                classes.numClasses(), classes.classNames(), config.onBadRecord(), location, names, labelIndex,
                features == null ? -1 : names.indexOf(features));
        return examples(lines, plan, skipped);
    }

    private static ExampleRows examples(Dataset<Row> source, RowPlan plan, LongAccumulator skipped) {
        StructType schema = new StructType()
                .add(ExampleRows.FEATURES, plan.features().bytes() ? DataTypes.BinaryType
                        : DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add(ExampleRows.LABEL, DataTypes.IntegerType, false);
        Dataset<Row> rows = source.mapPartitions(new ExampleConverter(plan, skipped), Encoders.row(schema));
        return new ExampleRows(rows, plan.shape(), plan.numClasses(), plan.classNames(), plan.features().bytes(),
                plan.source());
    }

    private static Dataset<Row> load(SparkSession spark, String location, DataFormat format, Configuration conf) {
        HadoopFs.Location loc = HadoopFs.resolve("--data", location, conf);
        try {
            if (!loc.fs().exists(loc.path())) throw new InputException("--data " + location + " does not exist");
        } catch (IOException e) {
            throw new InputException("Cannot read --data " + location + ": " + HadoopFs.describe(e));
        }
        try {
            return spark.read().format(format.label()).load(loc.path().toString());
        } catch (Exception e) {
            if (e instanceof AnalysisException a) {
                throw new InputException("Cannot read --data " + location + " as " + format.label() + ": "
                        + a.getSimpleMessage(), a);
            }
            throw e;
        }
    }

    private static Dataset<Row> table(SparkSession spark, String location) {
        String name = location.startsWith(TABLE_PREFIX) ? location.substring(TABLE_PREFIX.length()) : location;
        try {
            return spark.table(name);
        } catch (Exception e) {
            if (e instanceof AnalysisException a) {
                List<String> tables = spark.catalog().listTables().collectAsList().stream().map(Table::name).toList();
                throw new InputException("Cannot read --data " + location + ": " + a.getSimpleMessage()
                        + " (the session's tables: " + tables + ")", a);
            }
            throw e;
        }
    }

    /** Spark's image struct knows each image's size; without --input-shape the first image's is the shape. */
    private static InputShape firstImageShape(Dataset<Row> df, String column, String source) {
        List<Row> first = df.where(quoted(column).isNotNull()).select(quoted(column).getField("nChannels"),
                quoted(column).getField("height"), quoted(column).getField("width")).takeAsList(1);
        if (first.isEmpty()) throw LabelClasses.empty(source);
        Row r = first.get(0);
        return new InputShape(r.getInt(0), r.getInt(1), r.getInt(2));
    }

    private static InputShape refuseWithoutShape(String column, DataType type, String source) {
        throw new InputException("--input-shape C,H,W is required for " + source + ": its column " + column + " ("
                + type.simpleString() + ") does not say the examples' shape");
    }
}
