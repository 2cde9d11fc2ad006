package io.tributary.job.cli;

import io.tributary.common.config.ConfigKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Long flags generated from configuration keys, one per key, documented from the key's definition;
 * values stay strings until {@link ConfigKey#parse} checks them.
 */
final class KeyFlags {
    private KeyFlags() {
    }

    /** Adds one option per key to {@code command}. */
    static CommandSpec add(CommandSpec command, List<ConfigKey<?>> keys) {
        for (ConfigKey<?> key : keys) {
            List<String> names = new ArrayList<>(List.of("--" + key.name()));
            key.formerNames().forEach(former -> names.add("--" + former));
            OptionSpec.Builder option = OptionSpec.builder(names.toArray(new String[0]));
            String def = key.formattedDefault();
            String doc = key.doc() + (def == null ? "" : " (default " + def + ")");
            if (key.type() == Boolean.class) {
                option.arity("0..1").type(Boolean.class).fallbackValue("true").paramLabel("true|false");
            } else {
                option.type(String.class).paramLabel(label(key));
            }
            // picocli formats descriptions (String.format): a key's own "%" is text.
            command.addOption(option.description(doc.replace("%", "%%")).build());
        }
        return command;
    }

    private static String label(ConfigKey<?> key) {
        if (key.type() == Integer.class || key.type() == Long.class) return "N";
        if (key.type() == Double.class) return "X";
        if (key.type().isEnum()) return "MODE";
        return "VALUE";
    }

    /** The keys given on the command line, by key name. */
    static Map<String, Object> given(CommandSpec spec, List<ConfigKey<?>> keys) {
        Map<String, Object> flags = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            OptionSpec option = spec.findOption("--" + key.name());
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                flags.put(key.name(), option.getValue());
            }
        }
        return flags;
    }
}
