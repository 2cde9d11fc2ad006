package io.tributary.job.cli;

import io.tributary.common.config.ConfigKey;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.RetrainConfig;
import io.tributary.common.config.RetrainKeys;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.job.registry.RetrainFailedException;
import io.tributary.job.registry.RetrainJob;
import io.tributary.job.spark.MemoryKills;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code tributary retrain}: one scheduled retraining into a model registry. Exit status 0 whether
 * the challenger was promoted, rejected or the data was unchanged (the decision is on stdout and in
 * the history); 2 for configuration and input errors, a locked registry included; 3 when retraining
 * itself failed.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = RetrainCommand.KeyOptions.class,
        description = {"Trains a challenger into the registry's next version, compares it with the champion on the same "
                + "holdout and promotes it only if it is better by --min-improvement; records the decision in "
                + "history.jsonl. Unchanged data (same fingerprint as the last retraining) is a no-op unless --force.",
                "Exit status: 0 promoted, rejected or skipped; 2 bad configuration or input; 3 retraining failed."})
public final class RetrainCommand implements Callable<Integer> {
    public static final int EXIT_RETRAIN_FAILED = 3;

    /** Retrain's own keys, then every training key but the output (a version directory) and --overwrite. */
    static final List<ConfigKey<?>> KEYS = Stream.concat(RetrainKeys.ALL.stream(), TrainKeys.ALL.stream()
            .filter(k -> k != TrainKeys.OUTPUT && k != TrainKeys.OVERWRITE)).toList();

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with training keys (as for train).")
    Path configFile;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = KeyFlags.given(spec, KEYS);
        Map<String, Object> retrainFlags = new LinkedHashMap<>();
        for (ConfigKey<?> k : RetrainKeys.ALL) {
            if (flags.containsKey(k.name())) retrainFlags.put(k.name(), flags.remove(k.name()));
        }
        RetrainConfig retrain = RetrainConfig.fromValues(retrainFlags);
        // The output is the new version's directory, chosen under the registry's lock.
        flags.put(TrainKeys.OUTPUT.name(), retrain.registry() + "/" + ModelRegistry.MODELS + "/pending");
        TrainConfig train = ConfigLoader.load(configFile, flags);
        RetrainJob.Outcome outcome;
        try {
            outcome = new RetrainJob(train, retrain, System.err, Terminal.stderrIsTerminal()).run();
        } catch (RetrainFailedException e) {
            System.err.println("tributary: " + MemoryKills.explanation().orElse(e.getMessage()
                    + (verbose ? "" : " (run with --verbose for the stack trace)")));
            if (verbose) e.printStackTrace();
            return EXIT_RETRAIN_FAILED;
        }
        List<String> parts = new ArrayList<>();
        if (outcome.version() > 0) parts.add("version " + ModelRegistry.name(outcome.version()));
        parts.add(outcome.decision());
        System.out.println("Retraining: " + String.join(" ", parts) + ": " + outcome.reason());
        return TributaryCli.EXIT_OK;
    }

    /** Adds one long flag per key of {@link #KEYS}. */
    static final class KeyOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return KeyFlags.add(command, KEYS);
        }
    }
}
