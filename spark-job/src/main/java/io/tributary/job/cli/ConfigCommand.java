package io.tributary.job.cli;

import io.tributary.common.config.ConfigKey;
import io.tributary.common.config.RetrainKeys;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.config.TrainKeys;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code tributary config}: documents every training and retraining key, generated from the key definitions. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Lists every configuration key (file key = long flag) with its default, rule and meaning.")
public final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("Training keys (train, and retrain except output and overwrite):");
        table(TrainKeys.ALL, List.of(TrainKeys.DATA, TrainKeys.OUTPUT));
        System.out.println();
        System.out.println("Retraining keys (retrain only):");
        table(RetrainKeys.ALL, List.of(RetrainKeys.REGISTRY));
        System.out.println();
        System.out.println("Scoring keys (evaluate: split; predict: both):");
        table(ScoringKeys.PREDICT, List.of());
        return TributaryCli.EXIT_OK;
    }

    private static void table(List<ConfigKey<?>> keys, List<ConfigKey<?>> required) {
        System.out.println("| key | default | rule | description |");
        System.out.println("| --- | --- | --- | --- |");
        for (ConfigKey<?> key : keys) {
            String shown = key.formattedDefault() != null ? key.formattedDefault()
                    : required.contains(key) ? "(required)" : "(none)";
            System.out.println("| " + key.name() + " | " + shown + " | " + key.ruleText() + " | " + key.doc() + " |");
        }
    }
}
