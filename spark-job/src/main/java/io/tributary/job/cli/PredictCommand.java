package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataSplit;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.Json;
import io.tributary.job.score.PredictJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tributary predict}: distributed batch scoring of data with a saved or registered model. */
@Command(name = "predict", sortOptions = false,
        modelTransformer = PredictCommand.Options.class,
        description = "Scores data with a model (a model.zip, or a registry's champion or version) on the executors and"
                + " writes a directory of part files: the kept input columns (or an IDX example's index), prediction,"
                + " prediction_label (where the model names its classes) and probability. For labelled data it also"
                + " prints the accuracy and writes it to _tributary/metrics.json.")
public final class PredictCommand implements Callable<Integer> {
    // Not mixinStandardHelpOptions: its --version would clash with the registry's --version, and picocli then
    // drops the mixin's --help with it.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
    @Option(names = "--model", paramLabel = "URI", description = "model.zip, or a run directory holding one.")
    String model;
    @Option(names = "--registry", paramLabel = "URI", description = "A model registry: its champion scores, or --version.")
    String registry;
    @Option(names = "--version", paramLabel = "N", description = "With --registry: the version that scores (default: the champion).")
    String version;
    @Option(names = "--data", required = true, paramLabel = "DIR_OR_URI",
            description = "The data: an IDX directory, Parquet/ORC/CSV files (a label column is optional), an image"
                    + " folder, or table:NAME.")
    String data;
    @Option(names = "--output", required = true, paramLabel = "URI", description = "The output directory; must not exist.")
    String output;
    @Option(names = "--output-format", defaultValue = "parquet", paramLabel = "FORMAT",
            description = "parquet (default), csv (probabilities as p0;p1;...) or json.")
    String outputFormat;
    @Option(names = "--keep-cols", paramLabel = "COLS", split = ",",
            description = "Input columns copied to the output (tables and CSV), e.g. id,date.")
    List<String> keepCols;
    @Option(names = "--overwrite", description = "Replace an existing output (once the new one is complete).")
    boolean overwrite;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> scoring = KeyFlags.given(spec, ScoringKeys.PREDICT);
        boolean trainSplit = ScoringKeys.SPLIT.valueIn(scoring) == DataSplit.TRAIN;
        List<String> keep = keepCols == null ? List.of() : keepCols.stream().map(String::trim).toList();
        if (keep.stream().anyMatch(String::isEmpty)) {
            throw new InputException("Invalid value \"" + String.join(",", keepCols) + "\" for --keep-cols: "
                    + "column names separated by commas, none empty");
        }
        DataConfig read = DataConfig.from(KeyFlags.given(spec, TrainKeys.READ_KEYS));
        PredictJob.Plan plan = new PredictJob.Plan(model, registry, version, data, read, trainSplit, output,
                PredictJob.Format.parse(outputFormat), keep, ScoringKeys.BATCH_SIZE.valueIn(scoring), overwrite, master);
        PredictJob.Result r = PredictJob.run(plan);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("output", r.output());
        out.put("model", r.model().location());
        if (r.model().registry() != null) out.put("version", r.model().version());
        out.put("examples", r.examples());
        if (r.labelled() > 0) out.put("accuracy", r.accuracy());
        out.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        out.put("examples_per_second", Math.round(r.examplesPerSecond()));
        System.out.println(Json.write(out));
        return TributaryCli.EXIT_OK;
    }

    /** Adds the flags of how data is read and of scoring. */
    static final class Options implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return KeyFlags.add(KeyFlags.add(command, TrainKeys.READ_KEYS), ScoringKeys.PREDICT);
        }
    }
}
