package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.OutputPlace;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.IdxRows;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkContexts;
import io.tributary.job.spark.SparkRuntime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code tributary convert}: an IDX dataset as Parquet, one row per example ({@code label} int,
 * {@code image} the example's bytes, row-major), its train and t10k splits in {@code OUTPUT/train}
 * and {@code OUTPUT/test}. Executors read and write; the result appears under its name only when
 * both splits are complete.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Writes an MNIST-format IDX directory as Parquet (OUTPUT/train and OUTPUT/test; columns label"
                + " int and image binary), the format Spark users keep data in. Train on it with --data OUTPUT/train"
                + " --test-data OUTPUT/test --input-shape 1,ROWS,COLS.")
public final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR_OR_URI", description = "An IDX directory.")
    String data;
    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "The format to write: parquet.")
    String to;
    @Option(names = "--output", required = true, paramLabel = "URI", description = "Directory to write.")
    String output;
    @Option(names = "--overwrite", description = "Replace an existing output.")
    boolean overwrite;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    /** The most examples one Parquet part file holds. */
    static final int EXAMPLES_PER_FILE = 10_000;

    @Override
    public Integer call() throws Exception {
        if (!"parquet".equals(to)) {
            throw new InputException("Invalid value \"" + to + "\" for --to: must be parquet");
        }
        SparkConf conf = SparkConfs.build("tributary-convert", master);
        Configuration hadoopConf = SparkConfs.hadoopConf(conf);
        IdxDirectory dir = new IdxDirectory(HadoopFs.resolve("data", data, hadoopConf));
        HadoopFs.Location out = HadoopFs.resolve("output", output, hadoopConf);
        OutputPlace.require("output", out, List.of(new OutputPlace.Input("data", dir.location())), false);
        if (out.fs().exists(out.path()) && !overwrite) {
            throw new InputException("Output " + out + " already exists; pass --overwrite to replace it, or choose"
                    + " another --output");
        }
        dir.header(IdxDirectory.Split.TRAIN);   // a bad directory fails before Spark starts
        dir.header(IdxDirectory.Split.TEST);
        Path tmp = new Path(out.path().getParent(), "_tmp." + out.path().getName() + "." + UUID.randomUUID());
        long[] counts = new long[2];
        JavaSparkContext sc = SparkContexts.start(conf);
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        try {
            ExecutorWait.await(sc);
            int i = 0;
            for (IdxDirectory.Split split : IdxDirectory.Split.values()) {
                ExampleRows rows = IdxRows.read(spark, dir, split, 0, IdxRows.ANY_LABEL);
                String name = split == IdxDirectory.Split.TRAIN ? "train" : "test";
                // Part files of at most EXAMPLES_PER_FILE examples, as Spark writes tables, so that
                // the executors that later read them each read their own (a gzipped IDX file is read by
                // a task per core at most, which alone would make a few large files of one row group).
                int files = Math.max(1, (dir.header(split).count() + EXAMPLES_PER_FILE - 1) / EXAMPLES_PER_FILE);
                rows.rows().withColumnRenamed(ExampleRows.FEATURES, "image").select("label", "image")
                        .repartition(files).write().parquet(new Path(tmp, name).toString());
                counts[i++] = spark.read().parquet(new Path(tmp, name).toString()).count();
            }
            replace(out, tmp);
        } catch (IOException | RuntimeException e) {
            out.fs().delete(tmp, true);
            throw e;
        } finally {
            SparkRuntime.stop(sc);
        }
        System.out.printf("Wrote %s/train (%d examples) and %s/test (%d examples) as Parquet%n", out, counts[0], out,
                counts[1]);
        return TributaryCli.EXIT_OK;
    }

    /** Puts the complete {@code tmp} in {@code out}'s place (an old output is removed first with --overwrite). */
    private void replace(HadoopFs.Location out, Path tmp) throws IOException {
        if (out.fs().exists(out.path())) {
            out.fs().delete(out.path(), true);
        }
        if (!out.fs().rename(tmp, out.path())) {
            throw new IOException("Cannot rename " + tmp + " to " + out);
        }
    }
}
