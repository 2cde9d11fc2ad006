package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.io.Json;
import io.tributary.common.model.hdf5.Hdf5Exception;
import io.tributary.common.model.hdf5.Hdf5File;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Keras 2 HDF5 file checked in Java, before the HDF5 native library or DL4J's import reads any of
 * it: its structure ({@link Hdf5File}: nothing outside the file, no plugin filters, no links but hard
 * ones, every extent within the file), its root attributes read from that structure, the network DL4J
 * would build from its {@code model_config} alone (no weight read, no layer initialised) within
 * {@code max-parameters}, and its weights: under {@value #WEIGHTS}, each layer's datasets floating
 * point and declaring no more values than the layer's configuration gives it parameters, every
 * deflated chunk expanding to exactly one chunk.
 */
final class KerasFile {
    /** Where model.save puts the weights, one group per layer. */
    static final String WEIGHTS = "/model_weights";
    static final String SUPPORTED = "supported: a Keras 2 HDF5 file (.h5) saved with model.save";
    static final Set<String> SEQUENTIAL = Set.of("Sequential");
    static final Set<String> FUNCTIONAL = Set.of("Functional", "Model");
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final ObjectMapper TREE = new ObjectMapper();

    /**
     * What the check found.
     *
     * @param className   Sequential, Functional or Model
     * @param modelConfig the model_config attribute, parsed
     * @param training    whether the file has a training_config
     * @param parameters  the network's parameter count from its configuration
     */
    record Checked(String className, JsonNode modelConfig, boolean training, long parameters) {
        boolean sequential() {
            return SEQUENTIAL.contains(className);
        }
    }

    private KerasFile() {
    }

    static Checked check(String source, Path file, long maxParameters) {
        refuseZip(source, file);
        Hdf5File h5 = structure(source, file);
        String json = rootString(source, h5, "model_config").orElseThrow(() -> new InputException("Keras model " + source
                + " has no model_config attribute (the model's architecture), as a file written by model.save_weights; "
                + SUPPORTED));
        JsonNode tree = modelConfig(source, json);
        String className = tree.path("class_name").asText("");
        if (!SEQUENTIAL.contains(className) && !FUNCTIONAL.contains(className)) {
            throw new InputException("Keras model " + source + " has model class \"" + className
                    + "\"; supported: Sequential and functional (Functional or Model) Keras 2 models");
        }
        String version = rootString(source, h5, "keras_version").orElseThrow(() -> missing(source, "keras_version"));
        if (version.startsWith("2")) {
            ((ObjectNode) tree).put("backend", rootString(source, h5, "backend")
                    .orElseThrow(() -> missing(source, "backend")));
        }
        // As DL4J's import does: the first five characters of the version, beside the architecture.
        ((ObjectNode) tree).put("keras_version", version.substring(0, Math.min(5, version.length())));
        String training = rootString(source, h5, "training_config").orElse(null);
        Object conf = configuration(source, tree, training);
        Map<String, Long> layers = conf instanceof MultiLayerConfiguration m ? ModelSize.byLayer(m)
                : ModelSize.byLayer((ComputationGraphConfiguration) conf);
        long parameters = layers.values().stream().mapToLong(Long::longValue).reduce(0, Math::addExact);
        if (parameters > maxParameters) {
            throw new InputException(String.format(Locale.ROOT, "Keras model %s describes a network of %,d parameters"
                    + " (%,d MiB as floats), more than %s %,d; raise %s to import it", source, parameters,
                    parameters * Float.BYTES >> 20, ModelSize.KEY, maxParameters, ModelSize.KEY));
        }
        KerasWeights.check(source, h5, layers);
        return new Checked(className, tree, training != null, parameters);
    }

    private static InputException missing(String source, String attribute) {
        return new InputException("Keras model " + source + " has no " + attribute + " attribute, which model.save writes;"
                + " " + SUPPORTED);
    }

    /** A Keras 3 {@code .keras} file is a zip: named as such rather than as "not HDF5". */
    private static void refuseZip(String source, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(ZIP.length);
            if (Arrays.equals(head, ZIP)) {
                throw new InputException("Keras model " + source + " is a zip archive (a Keras 3 .keras file), not HDF5; "
                        + SUPPORTED);
            }
        } catch (IOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getMessage(), e);
        }
    }

    private static Hdf5File structure(String source, Path file) {
        try {
            return Hdf5File.read(file);
        } catch (Hdf5Exception e) {
            throw refused(source, e);
        } catch (UncheckedIOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getCause().getMessage(), e);
        }
    }

    /** The one sentence for a refusal of the HDF5 reader: the file, the object, the problem and the rule. */
    static InputException refused(String source, Hdf5Exception e) {
        String object = printable(e.object());
        return new InputException("Keras model " + source + (object.isEmpty() ? " " : ": " + object + " ")
                + printable(e.getMessage()) + (object.isEmpty() && !e.getMessage().contains("truncated") ? "; "
                + SUPPORTED : ""), e);
    }

    /** {@code s} without control characters, and at most 300 characters of it: names come from the file. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(300).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return s.codePointCount(0, s.length()) > 300 ? b + "..." : b.toString();
    }

    /** A root attribute holding one string (a scalar, or a vector of one). */
    private static Optional<String> rootString(String source, Hdf5File h5, String name) {
        try {
            return h5.strings("/", name).map(values -> {
                if (values == null || values.size() != 1) {
                    throw new InputException("Keras model " + source + " has a " + name + " attribute that is not one"
                            + " string; " + SUPPORTED);
                }
                return values.get(0);
            });
        } catch (Hdf5Exception e) {
            throw refused(source, e);
        }
    }

    private static JsonNode modelConfig(String source, String json) {
        if (json.length() > KerasModels.MAX_CONFIG_CHARS) {
            throw new InputException("Keras model " + source + " has a model_config of " + json.length()
                    + " characters, more than the " + KerasModels.MAX_CONFIG_CHARS + " a model architecture may have");
        }
        if (Json.depth(json) > KerasModels.MAX_DEPTH) {
            throw KerasModels.tooDeep(source);
        }
        try {
            JsonNode tree = TREE.readTree(json);
            if (!(tree instanceof ObjectNode)) {
                throw new InputException("Keras model " + source + " has a model_config that is not a JSON object");
            }
            return tree;
        } catch (IOException e) {
            throw new InputException("Keras model " + source + " has a model_config that is not JSON ("
                    + KerasModels.firstLine(e) + ")", e);
        }
    }

    /** DL4J's configuration of the network, from the architecture alone: nothing read from the file, nothing allocated. */
    private static Object configuration(String source, JsonNode tree, String training) {
        try {
            KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration())
                    .modelJson(TREE.writeValueAsString(tree)).enforceTrainingConfig(true);
            if (training != null) {
                builder.trainingJson(training);
            }
            return SEQUENTIAL.contains(tree.path("class_name").asText())
                    ? builder.buildSequential().getMultiLayerConfiguration()
                    : builder.buildModel().getComputationGraphConfiguration();
        } catch (UnsupportedKerasConfigurationException e) {
            throw KerasModels.unsupported(source, tree, e);
        } catch (InvalidKerasConfigurationException | IOException | RuntimeException e) {
            throw new InputException("Keras model " + source + " is not a Keras 2 model DL4J can import ("
                    + KerasModels.firstLine(e) + "); " + SUPPORTED, e);
        } catch (StackOverflowError e) {
            throw KerasModels.tooDeep(source);
        }
    }
}
