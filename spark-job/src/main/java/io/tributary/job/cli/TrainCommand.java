package io.tributary.job.cli;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.LrSchedule;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tributary train}: parse, build the config, run the job. Every key of {@link TrainKeys} is a
 * long flag of the same name, generated from the key's definition; flags override the config file.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = TrainCommand.KeyOptions.class,
        description = "Trains a model on IDX, Parquet, ORC or CSV data, an image folder or a Spark table, read by the"
                + " executors, and writes model.zip, metrics.json, metadata.json,"
                + " report.html and checkpoints/ to the output directory.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with the same keys as the flags.")
    Path configFile;
    @Option(names = "--resume", paramLabel = "OUTPUT", description = "Continue the run in OUTPUT from its newest valid"
            + " checkpoint, with the config saved there; flags given here override it (e.g. more --epochs).")
    String resume;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = KeyFlags.given(spec, TrainKeys.ALL);
        TrainConfig config;
        if (resume != null) {
            Object output = flags.get(TrainKeys.OUTPUT.name());
            if (output != null && !sameLocation(String.valueOf(output), resume)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume " + resume + " and --output "
                        + output + " name different directories; a run resumes in its own output, so give only --resume");
            }
            ResumeConfig saved = ResumeConfig.of(resume);
            flags.put(TrainKeys.OUTPUT.name(), resume);
            config = ConfigLoader.load(saved.config(), configFile, flags);
            if (saved.complete(config.epochs())) {
                int done = saved.nextEpoch() - 1;
                System.err.printf(Locale.ROOT, "tributary: the run in %s is complete (%d epoch(s), checkpoint %s);"
                        + " nothing to resume. Give --epochs N with N > %d to train more%s.%n", resume, done,
                        saved.checkpoint(), done, config.lrSchedule() == LrSchedule.ONE_CYCLE
                                ? " (its one-cycle schedule then spans the N epochs: from this run's last step the"
                                + " learning rate rises again to where that longer cycle has it, then falls to its end;"
                                + " --lr-schedule constant keeps it at --learning-rate)"
                                : "");
                return TributaryCli.EXIT_OK;
            }
        } else {
            config = ConfigLoader.load(configFile, flags);
        }
        TrainResult result = new TrainJob(config, System.err, Terminal.stderrIsTerminal(), resume != null).run();
        System.out.println(String.format(Locale.ROOT,
                "Trained %s for %d epoch(s): test accuracy %.4f, %.0f examples/s over %.1f s of training"
                        + "%s, %.1f s wall in this process. Wrote %s/model.zip",
                config.model(), result.epochs().size(), result.test().accuracy(), result.examplesPerSecond(),
                result.trainSeconds(), resume != null ? " (before and after the resume)" : "", result.wallSeconds(),
                result.output()));
        return TributaryCli.EXIT_OK;
    }

    /** Whether two locations name the same directory once resolved (runs/a and ./runs/a do). */
    private static boolean sameLocation(String a, String b) {
        var conf = SparkConfs.hadoopConf();
        return HadoopFs.resolve("output", a, conf).toString().equals(HadoopFs.resolve("resume", b, conf).toString());
    }

    /** Adds one long flag per training key. */
    static final class KeyOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return KeyFlags.add(command, TrainKeys.ALL);
        }
    }
}
