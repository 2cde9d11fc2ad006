package io.tributary.common.config;

import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.dataformat.yaml.YAMLFactory;
import org.nd4j.shade.yaml.snakeyaml.Yaml;
import org.nd4j.shade.yaml.snakeyaml.events.AliasEvent;
import org.nd4j.shade.yaml.snakeyaml.events.CollectionEndEvent;
import org.nd4j.shade.yaml.snakeyaml.events.CollectionStartEvent;
import org.nd4j.shade.yaml.snakeyaml.events.Event;
import org.nd4j.shade.yaml.snakeyaml.events.MappingStartEvent;
import org.nd4j.shade.yaml.snakeyaml.events.NodeEvent;
import org.nd4j.shade.yaml.snakeyaml.events.ScalarEvent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Merges a YAML config file and command-line values into a {@link TrainConfig}: defaults first,
 * then the file, then flags. The file uses the same key names as the long flags ({@code epochs: 3}) and
 * is a flat mapping of plain scalars: no tags, anchors, aliases or nesting.
 */
public final class ConfigLoader {
    /** Largest config file read: a real one is a few hundred bytes. */
    static final long MAX_FILE_BYTES = 1 << 20;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KNOWN = TrainKeys.ALL.stream().map(ConfigKey::name).collect(Collectors.toSet());
    /** Former key names and the keys they are now. */
    private static final Map<String, String> FORMER = TrainKeys.ALL.stream()
            .flatMap(k -> k.formerNames().stream().map(f -> Map.entry(f, k.name())))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

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
        currentNames(base).forEach((k, v) -> {
            if (v != null) merged.put(k, v);
        });
        if (file != null) {
            merged.putAll(currentNames(readFile(file)));
        }
        flags.forEach((k, v) -> {
            if (v != null) merged.put(k, v);
        });
        return TrainConfig.fromValues(merged);
    }

    /** Values under their keys' current names (a key's former names are still read). */
    static Map<String, Object> currentNames(Map<String, ?> values) {
        Map<String, Object> renamed = new LinkedHashMap<>();
        values.forEach((k, v) -> renamed.put(FORMER.getOrDefault(k, k), v));
        values.forEach((k, v) -> {
            if (!FORMER.containsKey(k)) renamed.put(k, v);   // the current name wins over a former one
        });
        return renamed;
    }

    static Map<String, Object> readFile(Path file) {
        Object root;
        try {
            byte[] yaml;
            // Read at most one byte past the limit, whatever the file claims to be (a FIFO or /dev/zero has no size).
            try (InputStream in = Files.newInputStream(file)) {
                yaml = in.readNBytes((int) MAX_FILE_BYTES + 1);
            }
            if (yaml.length > MAX_FILE_BYTES) {
                throw new ConfigException("Config file " + file + " is more than " + MAX_FILE_BYTES
                        + " bytes; a config file may be at most " + MAX_FILE_BYTES + " bytes");
            }
            // Syntax errors first, in Jackson's words (binding builds only maps, lists and scalars), then the rules.
            root = YAML.readValue(yaml, Object.class);
            requirePlainScalarMap(file, yaml);
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
            if (!KNOWN.contains(key) && !FORMER.containsKey(key)) {
                throw new ConfigException("Unknown configuration key " + key + " in " + file + "; known keys: "
                        + String.join(", ", TrainKeys.ALL.stream().map(ConfigKey::name).toList()));
            }
            values.put(key, e.getValue());
        }
        return values;
    }

    /**
     * Walks the file's YAML events (SnakeYAML's parser only: nothing is constructed): the root must be one
     * mapping whose values are plain scalars. Tags ({@code !!java.net.URL}, {@code !foo}) ask a YAML library
     * to build objects, and anchors and aliases let a few lines expand into billions of nodes (billion
     * laughs); a config file needs neither, so both are refused wherever they appear, with the line.
     */
    private static void requirePlainScalarMap(Path file, byte[] yaml) {
        int depth = 0;
        String key = null;
        boolean atKey = false;
        Reader reader = new InputStreamReader(new ByteArrayInputStream(yaml), StandardCharsets.UTF_8);
        for (Event e : new Yaml().parse(reader)) {
            String refused = e instanceof AliasEvent alias ? "alias *" + alias.getAnchor()
                    : e instanceof NodeEvent node && node.getAnchor() != null ? "anchor &" + node.getAnchor()
                    : e instanceof ScalarEvent scalar && scalar.getTag() != null ? "tag " + tagName(scalar.getTag())
                    : e instanceof CollectionStartEvent c && c.getTag() != null ? "tag " + tagName(c.getTag()) : null;
            if (refused != null) {
                throw new ConfigException("Config file " + file + " uses " + refused + lineOf(e)
                        + ": tags, anchors and aliases are not allowed; values must be plain scalars");
            }
            if (e instanceof CollectionStartEvent) {
                if (depth == 0 && !(e instanceof MappingStartEvent)) {
                    throw new ConfigException("Config file " + file + " must be a mapping of keys to values, found a list"
                            + lineOf(e));
                }
                if (depth > 0) {
                    throw new ConfigException("Config file " + file + " gives " + key + " a "
                            + (e instanceof MappingStartEvent ? "mapping" : "list") + lineOf(e)
                            + ": each key must be a single value");
                }
                depth++;
                atKey = true;
            } else if (e instanceof CollectionEndEvent) {
                depth--;
            } else if (e instanceof ScalarEvent scalar && depth == 1) {
                if (atKey) key = scalar.getValue();
                atKey = !atKey;
            }
        }
    }

    /** A tag as written: SnakeYAML expands {@code !!x} to {@code tag:yaml.org,2002:x}. */
    private static String tagName(String tag) {
        String standard = "tag:yaml.org,2002:";
        return tag.startsWith(standard) ? "!!" + tag.substring(standard.length()) : tag;
    }

    private static String lineOf(Event e) {
        return e.getStartMark() == null ? "" : " (line " + (e.getStartMark().getLine() + 1) + ")";
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }
}
