package io.tributary.job.cli;

import io.tributary.common.config.ConfigKey;
import io.tributary.common.config.TrainKeys;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code tributary config}: documents every training key, generated from the key definitions. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Lists every configuration key (file key = long flag) with its default, rule and meaning.")
public final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("| key | default | rule | description |");
        System.out.println("| --- | --- | --- | --- |");
        for (ConfigKey<?> key : TrainKeys.ALL) {
            String shown = key.formattedDefault() != null ? key.formattedDefault()
                    : key == TrainKeys.DATA || key == TrainKeys.OUTPUT ? "(required)" : "(none)";
            System.out.println("| " + key.name() + " | " + shown + " | " + key.ruleText() + " | " + key.doc() + " |");
        }
        return TributaryCli.EXIT_OK;
    }
}
