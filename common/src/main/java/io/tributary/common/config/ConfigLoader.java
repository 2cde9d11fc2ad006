package io.tributary.common.config;

import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Merges a YAML config file and command-line values into a {@link TrainConfig}: defaults first,
 * then the file, then flags. The file uses the same key names as the long flags ({@code epochs: 3}).
 */
public final class ConfigLoader {
    private static final Set<String> KNOWN = TrainKeys.ALL.stream().map(ConfigKey::name).collect(Collectors.toSet());

    private ConfigLoader() {
    }

    /**
     * @param file  a YAML file, or {@code null}
     * @param flags values given on the command line, by key name; {@code null} values are ignored
     */
    public static TrainConfig load(Path file, Map<String, ?> flags) {
        return load(Map.of(), file, flags);
    }

    /**
     * @param base values under the file's and the flags' (for example a resumed run's saved config);
     *             {@code null} values are ignored
     */
    public static TrainConfig load(Map<String, ?> base, Path file, Map<String, ?> flags) {
        Map<String, Object> merged = new LinkedHashMap<>();
        base.forEach((k, v) -> {
            if (v != null) merged.put(k, v);
        });
        if (file != null) {
            merged.putAll(readFile(file));
        }
        flags.forEach((k, v) -> {
            if (v != null) merged.put(k, v);
        });
        return TrainConfig.fromValues(merged);
    }

    static Map<String, Object> readFile(Path file) {
        Object root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Config file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new ConfigException("Config file " + file + " is not valid YAML: "
                    + e.getOriginalMessage() + locationOf(e));
        } catch (IOException e) {
            throw new ConfigException("Config file " + file + " cannot be read: " + e.getMessage());
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException("Config file " + file + " must be a mapping of keys to values, found "
                    + root.getClass().getSimpleName());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!KNOWN.contains(key)) {
                throw new ConfigException("Unknown configuration key " + key + " in " + file + "; known keys: "
                        + String.join(", ", TrainKeys.ALL.stream().map(ConfigKey::name).toList()));
            }
            if (e.getValue() instanceof Map || e.getValue() instanceof List) {
                throw new ConfigException(key, e.getValue(), "must be a single value, in " + file);
            }
            values.put(key, e.getValue());
        }
        return values;
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }
}
