package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.Json;
import io.tributary.common.model.ModelSize;
import io.tributary.common.model.NetworkConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A network's configuration: DL4J's JSON for a {@link MultiLayerConfiguration} or a
 * {@link org.deeplearning4j.nn.conf.ComputationGraphConfiguration}, as the entry of a model zip or
 * as a file of its own ({@code --model net.json}). Before DL4J's Jackson
 * binds it, every {@code "@class"} type name in it must lie in a package of DL4J, ND4J or
 * Tributary, so the file cannot make Jackson instantiate any other class on the classpath
 * (defence in depth: DL4J's type ids are already bounded by their base types), and its nesting is
 * bounded so parsing cannot exhaust the stack.
 */
final class ConfigurationEntry {
    /** Packages whose classes a configuration may name. */
    static final List<String> ALLOWED_PACKAGES = List.of("org.deeplearning4j.", "org.nd4j.linalg.", "io.tributary.");
    /** The largest network a model file may describe: the training limit's default (checked before any allocation). */
    static final long MAX_PARAMETERS = TrainKeys.MAX_PARAMETERS.defaultValue();
    /** Far deeper than DL4J's configurations nest (about 8 levels). */
    static final int MAX_DEPTH = 64;
    /** Refuses duplicate keys: Jackson's tree keeps the last, its type binding reads the first. */
    private static final ObjectMapper TREE = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A parsed configuration and the number of parameters its layers have. */
    record Parsed(NetworkConfig configuration, long numParams) {
    }

    private ConfigurationEntry() {
    }

    /**
     * @param source names the file in errors
     * @param entry  the zip entry holding the JSON, or {@code null} when the file is the JSON itself
     */
    static Parsed parse(String source, String entry, byte[] bytes) {
        String json = new String(bytes, StandardCharsets.UTF_8);
        checkDepth(source, entry, json);
        JsonNode tree;
        try {
            tree = TREE.readTree(json);
        } catch (IOException e) {
            throw refuse(source, entry, "is not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        checkClasses(source, entry, tree);
        if (!tree.isObject() || !(tree.has("confs") || tree.has("vertices"))) {
            throw refuse(source, entry, "is not a DL4J network configuration (a MultiLayerConfiguration's JSON has"
                    + " \"confs\", a ComputationGraphConfiguration's \"vertices\")");
        }
        NetworkConfig conf;
        try {
            conf = NetworkConfig.fromTrustedJson(TREE.writeValueAsString(tree));   // what was checked, not the raw text
        } catch (InputException e) {
            throw refuse(source, entry, "describes a network Tributary cannot train: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw refuse(source, entry, "is not a DL4J " + (tree.has("vertices") ? "ComputationGraph" : "MultiLayerNetwork")
                    + " configuration (" + firstLine(String.valueOf(e.getMessage())) + ")");
        }
        long numParams;
        try {
            numParams = conf.numParams();
        } catch (RuntimeException e) {
            throw refuse(source, entry, "describes layers whose parameters cannot be counted ("
                    + firstLine(String.valueOf(e.getMessage())) + ")");
        }
        if (numParams > MAX_PARAMETERS) {
            throw refuse(source, entry, String.format(Locale.ROOT, "describes a network of"
                    + " %,d parameters, more than %s %,d; nothing was allocated for them", numParams,
                    ModelSize.KEY, MAX_PARAMETERS));
        }
        return new Parsed(conf, numParams);
    }

    private static void checkDepth(String source, String entry, String json) {
        if (Json.depth(json) > MAX_DEPTH) {
            throw refuse(source, entry, "nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static void checkClasses(String source, String entry, JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("@class")) {
                    allowed(source, entry, field.getValue(), "\"@class\"");
                }
                checkClasses(source, entry, field.getValue());
            }
        } else if (node.isArray()) {
            // Jackson's array form of a type id is ["a.b.Class", value] (Jackson resolves the class before it
            // finds a value or length it cannot use): every array that starts with a text followed by anything
            // but a text is taken for one. DL4J's own arrays of texts (vertex inputs, names) are lists of names.
            if (node.size() >= 2 && node.get(0).isTextual() && !node.get(1).isTextual()) {
                allowed(source, entry, node.get(0), "[\"" + node.get(0).asText() + "\", ...]");
            }
            for (JsonNode child : node) {
                checkClasses(source, entry, child);
            }
        }
    }

    /** Refuses a type id outside {@link #ALLOWED_PACKAGES}; {@code form} says where it was written. */
    private static void allowed(String source, String entry, JsonNode id, String form) {
        String name = id.asText();
        if (!id.isTextual() || ALLOWED_PACKAGES.stream().noneMatch(name::startsWith)) {
            throw refuse(source, entry, "names class \"" + name + "\" (" + form + "); a configuration"
                    + " may only name classes in " + String.join(", ", ALLOWED_PACKAGES.stream().map(p -> p + "*").toList()));
        }
    }

    /** The error for a zip's entry, or for a configuration file of its own when {@code entry} is null. */
    private static InputException refuse(String source, String entry, String problem) {
        return entry != null ? ModelZipReader.refuse(source, entry, problem)
                : new InputException("Model configuration " + source + " " + problem);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
