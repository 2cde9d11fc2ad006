package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static io.tributary.job.read.TableColumns.quoted;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;

/**
 * Parquet, ORC and CSV files and Spark tables ({@code table:NAME}) as {@link ExampleRows}. The driver
 * reads the schema (a CSV file's header), and, from the label column alone, the class names or the
 * largest label when {@code --num-classes} is not given; executors read and check the rows.
 */
public final class TableRows implements DataSource {
    /** How {@code --data} names a Spark table. */
    public static final String TABLE_PREFIX = "table:";

    private final String location;
    /** The read settings, with the format resolved: parquet, orc, csv or table. */
    private final DataConfig config;
    private final Configuration hadoopConf;

    private TableRows(String location, DataConfig config, Configuration hadoopConf) {
        this.location = location;
        this.config = config;
        this.hadoopConf = hadoopConf;
    }

    /** The files or table at {@code location}, in the format {@code config} names. */
    static TableRows open(String location, DataConfig config, Configuration hadoopConf) {
        return new TableRows(location, config, hadoopConf);
    }

    /** Parquet, ORC or CSV, by the extension of the first entry of the listing that has one of theirs. */
    static DataFormat detect(FileStatus[] entries) {
        for (FileStatus f : entries) {
            String name = f.getPath().getName().toLowerCase(Locale.ROOT);
            if (name.endsWith(".parquet")) return DataFormat.PARQUET;
            if (name.endsWith(".orc")) return DataFormat.ORC;
            if (name.endsWith(".csv") || name.endsWith(".csv.gz")) return DataFormat.CSV;
        }
        return null;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public DataFormat format() {
        return config.format();
    }

    @Override
    public Map<String, Object> fingerprint() {
        return DataSources.fingerprint(location, hadoopConf);
    }

    /** {@code --input-shape}; a table's own shape (Spark's image struct) is known once Spark reads it. */
    @Override
    public Optional<InputShape> knownShape() {
        return Optional.ofNullable(config.shape());
    }

    @Override
    public ExampleRows rows(SparkSession spark, int limit, Classes trained, LongAccumulator skipped) {
        return read(spark, null, trained, skipped).examples().first(limit);
    }

    /**
     * As {@link #rows}, but the label column may be missing (the rows' labels are then {@code null}),
     * and the {@code keep} columns follow the label, unchanged (a CSV file's as text).
     */
    @Override
    public ScoringRows scoring(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped) {
        return read(spark, List.copyOf(keep), trained, skipped);
    }

    /** {@code keep}: {@code null} to read labelled rows, else the columns kept for scoring. */
    private ScoringRows read(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped) {
        return switch (config.format()) {
            case PARQUET, ORC -> fromTable(load(spark, location, config.format(), hadoopConf), location, config, skipped,
                    keep, trained);
            case TABLE -> fromTable(table(spark, location), location, config, skipped, keep, trained);
            case CSV -> fromCsv(spark, location, config, hadoopConf, skipped, keep, trained);
            default -> throw new IllegalArgumentException("TableRows reads parquet, orc, csv and table, not "
                    + config.format().label());
        };
    }

    /**
     * The rows of {@code df}; {@code keep}: {@code null} to read labelled rows, else the columns kept for
     * scoring; {@code trained}: the classes to read labels as, or {@code null} for the data's own.
     */
    static ScoringRows fromTable(Dataset<Row> df, String source, DataConfig config, LongAccumulator skipped,
                                 List<String> keep, Classes trained) {
        TableColumns columns = TableColumns.of(df.schema(), config, source, keep != null);
        List<String> kept = keep == null ? List.of() : keep;
        List<String> names = List.of(df.schema().fieldNames());
        StructType keptSchema = new StructType();
        for (String k : kept) {
            if (!names.contains(k)) throw new InputException(TableColumns.missing("--keep-cols", k, source, names));
            keptSchema = keptSchema.add(df.schema().apply(k));
        }
        boolean labelled = columns.label() != null;
        LabelClasses classes;
        if (labelled) {
            // input_file_name() right above the scan, as below: it names the file of a label in messages.
            LabelClasses.Labels labels = new LabelClasses.Labels(df.select(quoted(columns.label()).as(LabelClasses.VALUE),
                    input_file_name().as(LabelClasses.FILE), lit(null).cast(DataTypes.LongType).as(LabelClasses.LINE)),
                    columns.label(), source, config.numClasses(), config.limits().maxClasses());
            classes = trained != null ? LabelClasses.heldOut(labels, columns.labelKind() == LabelKind.NAMES
                    ? LabelKind.NUMBER_TEXT : LabelKind.INTEGRAL, trained)
                    : columns.labelKind() == LabelKind.NAMES ? LabelClasses.text(labels, config.labelType())
                    : LabelClasses.integral(labels);
        } else {
            classes = new LabelClasses(LabelKind.INTEGRAL, config.numClasses(), null);
        }
        InputShape shape = config.shape() != null ? config.shape()
                : columns.featureKind() == FeatureKind.IMAGE ? firstImageShape(df, columns.features(), source)
                : refuseWithoutShape(columns.features(), df.schema().apply(columns.features()).dataType(), source);
        List<Integer> positions = new ArrayList<>();
        List<Column> selected = new ArrayList<>(List.of(quoted(columns.features()),
                labelled ? quoted(columns.label()) : lit(null).cast(DataTypes.IntegerType),
                // input_file_name() must sit right above the scan; for data that is not in files it is "".
                input_file_name()));
        for (String k : kept) {
            positions.add(selected.size());
            selected.add(quoted(k));
        }
        RowPlan plan = new RowPlan(columns.featureKind(), columns.features(), classes.kind(), columns.label(), shape,
                config.shape() != null, classes.numClasses(), classes.classNames(), config.onBadRecord(), source,
                null, -1, -1, labelled, List.copyOf(positions));
        return examples(df.select(selected.toArray(new Column[0])), plan, keptSchema, skipped);
    }

    private static ScoringRows fromCsv(SparkSession spark, String location, DataConfig config, Configuration hadoopConf,
                                       LongAccumulator skipped, List<String> keep, Classes trained) {
        CsvLines.Header header = CsvLines.header(location, hadoopConf, config.limits().maxLineBytes());
        List<String> names = header.columns();
        List<String> kept = keep == null ? List.of() : keep;
        String features = config.featuresCol() != null ? config.featuresCol()
                : names.contains(TableColumns.DEFAULT_FEATURES) ? TableColumns.DEFAULT_FEATURES : null;
        if (features != null && !names.contains(features)) {
            throw new InputException(TableColumns.missing("--features-col", features, header.file(), names));
        }
        boolean labelled = names.contains(config.labelCol());
        if (!labelled && keep == null) {
            throw new InputException(TableColumns.missing("--label-col", config.labelCol(), header.file(), names));
        }
        List<Integer> keptFields = new ArrayList<>();
        StructType keptSchema = new StructType();
        for (String k : kept) {
            if (!names.contains(k)) throw new InputException(TableColumns.missing("--keep-cols", k, header.file(), names));
            keptFields.add(names.indexOf(k));
            keptSchema = keptSchema.add(k, DataTypes.StringType, true);
        }
        InputShape shape = config.shape() != null ? config.shape()
                : refuseWithoutShape(features == null ? "features" : features, DataTypes.StringType, location);
        int labelIndex = labelled ? names.indexOf(config.labelCol()) : -1;
        // Without a features column, the features are every column but the label and the kept ones.
        int featureColumns = (int) IntStream.range(0, names.size())
                .filter(j -> j != labelIndex && !keptFields.contains(j)).count();
        if (features == null && featureColumns != shape.size()) {
            throw new InputException(header.file() + " has " + featureColumns + " feature columns (all but "
                    + (labelled ? config.labelCol() : "") + (kept.isEmpty() ? "" : (labelled ? " and " : "") + kept)
                    + "), but --input-shape " + shape + " needs " + shape.size());
        }
        Dataset<Row> lines = CsvLines.read(spark, location, header, hadoopConf, config.limits().maxLineBytes());
        LabelClasses classes;
        if (labelled) {
            Dataset<Row> label = lines.where(size(col("fields")).equalTo(names.size()))
                    .select(element_at(col("fields"), labelIndex + 1).as(LabelClasses.VALUE),
                            col("file").as(LabelClasses.FILE), col("line").as(LabelClasses.LINE));
            LabelClasses.Labels labels = new LabelClasses.Labels(label, config.labelCol(), location,
                    config.numClasses(), config.limits().maxClasses());
            classes = trained != null ? LabelClasses.heldOut(labels, LabelKind.NUMBER_TEXT, trained)
                    : LabelClasses.text(labels, config.labelType());
        } else {
            classes = new LabelClasses(LabelKind.INTEGRAL, config.numClasses(), null);
        }
        RowPlan plan = new RowPlan(features == null ? FeatureKind.CSV_COLUMNS : FeatureKind.CSV_DELIMITED,
                features == null ? "features" : features, classes.kind(), config.labelCol(), shape, true,
                classes.numClasses(), classes.classNames(), config.onBadRecord(), location, names, labelIndex,
                features == null ? -1 : names.indexOf(features), labelled, List.copyOf(keptFields));
        return examples(lines, plan, keptSchema, skipped);
    }

    private static ScoringRows examples(Dataset<Row> source, RowPlan plan, StructType kept, LongAccumulator skipped) {
        StructType schema = new StructType()
                .add(ExampleRows.FEATURES, plan.features().bytes() ? DataTypes.BinaryType
                        : DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add(ExampleRows.LABEL, DataTypes.IntegerType, !plan.labelled());
        for (var field : kept.fields()) schema = schema.add(field);
        Dataset<Row> rows = source.mapPartitions(new ExampleConverter(plan, skipped), Encoders.row(schema));
        return new ScoringRows(new ExampleRows(rows, plan.shape(), plan.numClasses(), plan.classNames(),
                plan.features().bytes(), plan.source()), plan.labelled(), kept);
    }

    private static Dataset<Row> load(SparkSession spark, String location, DataFormat format, Configuration conf) {
        HadoopFs.Location loc = HadoopFs.resolve("--data", location, conf);
        try {
            if (!loc.fs().exists(loc.path())) throw new InputException("--data " + location + " does not exist");
            // Listed once here, before Spark lists it, so that links under it are held to DataLinks' rule.
            HadoopFs.dataFiles(loc);
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
