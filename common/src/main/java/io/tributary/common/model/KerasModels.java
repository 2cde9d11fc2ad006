package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.io.Json;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras 2 models saved as HDF5 ({@code model.save("x.h5")}), imported through DL4J's
 * {@code deeplearning4j-modelimport} 1.0.0-M2.1 as networks Tributary can train: a Sequential model
 * becomes a {@link MultiLayerNetwork}, a functional model a {@link ComputationGraph}, initialised
 * with the file's weights, taking NCHW input {@code [mb, C, H, W]} like every Tributary network
 * (channels-last layers are converted, see {@link KerasLayout}) and giving class probabilities.
 *
 * <p>Training setup: the optimizer and loss come from the file's {@code training_config} when it
 * has one (DL4J's import with its training config enforced); without one, Adam with the given
 * learning rate and multi-class cross-entropy on softmax outputs ({@link KerasTraining}); without
 * one and without a softmax output, the file is refused.
 *
 * <p>Model files are data. The import never runs Java deserialization: DL4J's Keras import
 * (checked in its 1.0.0-M2.1 sources) reads HDF5 attributes and datasets through the HDF5 native
 * library, parses the JSON attributes with Jackson into plain maps (no polymorphic type ids), and
 * builds layers from a fixed table of Keras class names; custom and Lambda layers are only those
 * a program registers in code, and Tributary registers none. It has no {@code ObjectInputStream}.
 * Before the native library opens a file, {@link Hdf5Header} checks its signature and that the
 * superblock's declared end lies within the file, so a truncated file is refused in Java. The
 * {@code model_config} is capped at {@value #MAX_CONFIG_CHARS} characters and {@value #MAX_DEPTH}
 * levels of nesting before DL4J binds it (DL4J's attribute reader itself bounds an attribute at
 * 256 MiB and checks it is JSON first; a document nested past the stack there is refused too).
 *
 * <p>HDF5 reads local files only: {@link #read(String, InputStream, double)} copies a stream (a
 * Hadoop file) to a temporary file and deletes it afterwards.
 */
public final class KerasModels {
    /** Far larger than any Keras model's architecture JSON (the seed model's is about 3 KB). */
    public static final int MAX_CONFIG_CHARS = 16 << 20;
    /** Far deeper than Keras nests a model config (about 8 levels; nested models add a few). */
    public static final int MAX_DEPTH = 64;

    /**
     * The Keras 2 layer class names DL4J 1.0.0-M2.1's import maps (KerasLayerUtils), for messages
     * and docs. Lambda layers and custom layers are absent: they need code registered in the
     * importing program.
     */
    public static final List<String> SUPPORTED_LAYERS = List.of(
            "InputLayer", "Dense", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
            "AlphaDropout", "GaussianDropout", "GaussianNoise", "Flatten", "Reshape", "Permute", "RepeatVector",
            "Masking", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv2D",
            "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
            "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "ZeroPadding1D",
            "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D",
            "UpSampling3D", "BatchNormalization", "Embedding", "LSTM", "SimpleRNN", "Bidirectional", "TimeDistributed",
            "LocallyConnected1D", "Add", "Subtract", "Multiply", "Average", "Maximum", "Concatenate", "ReLU",
            "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax");

    private static final Set<String> SEQUENTIAL = Set.of("Sequential");
    private static final Set<String> FUNCTIONAL = Set.of("Functional", "Model");
    private static final Pattern UNSUPPORTED_TYPE = Pattern.compile("Unsupported keras layer type (\\w+)");
    private static final ObjectMapper TREE = new ObjectMapper();

    private KerasModels() {
    }

    /**
     * Imports the Keras 2 HDF5 model in {@code localFile}.
     *
     * @param source               how the user named the file (a local path or Hadoop URI), for messages
     * @param localFile            the file on the local filesystem
     * @param fallbackLearningRate Adam's learning rate when the file has no training config
     * @return an initialised {@link MultiLayerNetwork} (Sequential) or {@link ComputationGraph} (functional)
     * @throws InputException when the file is not a Keras 2 HDF5 model this import supports
     */
    public static Model read(String source, Path localFile, double fallbackLearningRate) {
        Hdf5Header.check(source, localFile);
        Header header = header(source, localFile);
        Model imported = importModel(source, localFile, header);
        if (imported instanceof MultiLayerNetwork net) {
            MultiLayerNetwork trained = header.hasTrainingConfig() ? net
                    : KerasTraining.withDefaults(source, net, fallbackLearningRate);
            return KerasLayout.toNchw(source, trained);
        }
        ComputationGraph graph = (ComputationGraph) imported;
        ComputationGraph trained = header.hasTrainingConfig() ? graph
                : KerasTraining.withDefaults(source, graph, fallbackLearningRate);
        return KerasLayout.toNchw(source, trained);
    }

    /** {@link #read(String, Path, double)} of a stream (e.g. a Hadoop file), through a temporary file deleted afterwards. */
    public static Model read(String source, InputStream in, double fallbackLearningRate) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("tributary-keras-", ".h5");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return read(source, tmp, fallbackLearningRate);
        } catch (IOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A temporary file left behind is harmless; the import's outcome is what matters.
                }
            }
        }
    }

    /** What the file's root attributes say, read before DL4J builds anything. */
    private record Header(String className, JsonNode modelConfig, boolean hasTrainingConfig) {
    }

    private static Header header(String source, Path file) {
        String json;
        boolean training;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new InputException("Keras model " + source + " has no model_config attribute (the model's "
                        + "architecture), as a file written by model.save_weights; " + Hdf5Header.SUPPORTED);
            }
            try {
                json = archive.readAttributeAsJson("model_config");
            } catch (StackOverflowError e) {
                throw tooDeep(source);
            }
            training = archive.hasAttribute("training_config");
        } catch (UnsupportedKerasConfigurationException | RuntimeException e) {
            if (e instanceof InputException ie) throw ie;
            throw new InputException("Keras model " + source + " cannot be read as HDF5 (" + firstLine(e) + "); "
                    + Hdf5Header.SUPPORTED, e);
        }
        // DL4J reads the attribute into a fixed-size native buffer that is not cleared: after the JSON
        // and its terminating NUL comes whatever the buffer held (Jackson stops at the JSON's end, a
        // bracket count does not). JSON text never holds a raw NUL.
        int end = json.indexOf('\0');
        if (end >= 0) {
            json = json.substring(0, end);
        }
        if (json.length() > MAX_CONFIG_CHARS) {
            throw new InputException("Keras model " + source + " has a model_config of " + json.length()
                    + " characters, more than the " + MAX_CONFIG_CHARS + " a model architecture may have");
        }
        if (Json.depth(json) > MAX_DEPTH) {
            throw tooDeep(source);
        }
        JsonNode tree;
        try {
            tree = TREE.readTree(json);
        } catch (IOException e) {
            throw new InputException("Keras model " + source + " has a model_config that is not JSON (" + firstLine(e) + ")", e);
        }
        String className = tree.path("class_name").asText("");
        if (!SEQUENTIAL.contains(className) && !FUNCTIONAL.contains(className)) {
            throw new InputException("Keras model " + source + " has model class \"" + className
                    + "\"; supported: Sequential and functional (Functional or Model) Keras 2 models");
        }
        return new Header(className, tree, training);
    }

    private static Model importModel(String source, Path file, Header header) {
        try {
            // Training config enforced: optimizer and loss come from the file when it has them.
            return SEQUENTIAL.contains(header.className())
                    ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true)
                    : KerasModelImport.importKerasModelAndWeights(file.toString(), true);
        } catch (UnsupportedKerasConfigurationException e) {
            throw unsupported(source, header.modelConfig(), e);
        } catch (InvalidKerasConfigurationException | IOException | RuntimeException e) {
            throw new InputException("Keras model " + source + " is not a Keras 2 model DL4J can import ("
                    + firstLine(e) + "); " + Hdf5Header.SUPPORTED, e);
        } catch (StackOverflowError e) {
            throw tooDeep(source);
        }
    }

    private static InputException unsupported(String source, JsonNode config, UnsupportedKerasConfigurationException e) {
        Matcher m = UNSUPPORTED_TYPE.matcher(String.valueOf(e.getMessage()));
        String named = m.find() ? m.group(1) : null;
        List<String> layers = new ArrayList<>();
        String kind = null;
        for (JsonNode layer : config.path("config").path("layers")) {
            String cls = layer.path("class_name").asText();
            if (named != null ? cls.equals(named) : !SUPPORTED_LAYERS.contains(cls)) {
                layers.add("\"" + layer.path("config").path("name").asText(layer.path("name").asText("?")) + "\"");
                kind = cls;
            }
        }
        if (kind == null) {
            return new InputException("Keras model " + source + " uses a configuration DL4J cannot import ("
                    + stripAdvice(firstLine(e)) + "); supported layers: " + String.join(", ", SUPPORTED_LAYERS), e);
        }
        return new InputException("Keras model " + source + " has layer " + String.join(", ", layers) + " of type " + kind
                + ", which DL4J's Keras import does not support; supported layers: " + String.join(", ", SUPPORTED_LAYERS), e);
    }

    private static InputException tooDeep(String source) {
        return new InputException("Keras model " + source + " has a model_config nested deeper than " + MAX_DEPTH
                + " levels, deeper than any Keras model's architecture");
    }

    /** DL4J appends "Please file an issue at ..." to every message: not advice for a user's file. */
    private static String stripAdvice(String message) {
        int i = message.indexOf(". Please file an issue");
        return i < 0 ? message : message.substring(0, i);
    }

    private static String firstLine(Throwable e) {
        String s = stripAdvice(String.valueOf(e.getMessage()));
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
