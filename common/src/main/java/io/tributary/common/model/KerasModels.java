package io.tributary.common.model;

import io.tributary.common.InputException;
import org.bytedeco.hdf5.global.hdf5;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>The native library follows what a file says: external storage and external links read other
 * files, a filter may be a plugin it loads, and DL4J sizes each weight's buffer by the dataset's
 * declared shape (through an {@code int}). So before any native code sees a file, {@link #check}
 * reads it in Java, within bounds:
 * <ul>
 * <li>its HDF5 structure ({@link io.tributary.common.model.hdf5.Hdf5File}): every object reachable
 *     from the root, each once, every address and length within the file; refused: external
 *     storage, external, soft and user-defined links, virtual datasets, filters other than deflate
 *     and shuffle, shared messages, dense link or attribute storage, objects other than groups and
 *     datasets, datatypes other than integers, IEEE floats and strings, resizable datasets;</li>
 * <li>its root attributes ({@code model_config} at most {@value #MAX_CONFIG_CHARS} characters and
 *     {@value #MAX_DEPTH} levels deep, {@code keras_version}, {@code backend},
 *     {@code training_config}) from that structure;</li>
 * <li>the network DL4J builds from the architecture alone, nothing allocated: more parameters than
 *     {@code max-parameters} is refused, naming the key;</li>
 * <li>the weights: each layer's datasets floating point and declaring no more values than the
 *     layer's configuration gives it parameters, each deflated chunk expanding to exactly one chunk.</li>
 * </ul>
 * {@link #read} then imports in the JVM that calls it, with the library's plugin loading off; a run
 * calls it only in a process of its own ({@code io.tributary.common.store.KerasImport}).
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

    private static final Pattern UNSUPPORTED_TYPE = Pattern.compile("Unsupported keras layer type (\\w+)");

    private KerasModels() {
    }

    /**
     * Checks the Keras 2 HDF5 model in {@code localFile} in Java, reading nothing with native code:
     * its HDF5 structure, its attributes, the network its architecture describes (within
     * {@code maxParameters}) and its weights against that network (see {@link KerasModels}).
     *
     * @param source        how the user named the file (a local path or Hadoop URI), for messages
     * @param maxParameters the largest network accepted ({@code max-parameters})
     * @return the network's parameter count
     * @throws InputException when the file breaks a rule, naming the file, the object and the rule
     */
    public static long check(String source, Path localFile, long maxParameters) {
        return KerasFile.check(source, localFile, maxParameters).parameters();
    }

    /**
     * Checks (as {@link #check}) and imports the Keras 2 HDF5 model in {@code localFile} in this JVM,
     * through DL4J's import and the HDF5 native library, with the library's plugin loading off. A run
     * imports in a process of its own ({@code io.tributary.common.store.KerasImport}), so that what the
     * native library does with a file cannot reach the driver.
     *
     * @param source               how the user named the file (a local path or Hadoop URI), for messages
     * @param localFile            the file on the local filesystem
     * @param fallbackLearningRate Adam's learning rate when the file has no training config
     * @param maxParameters        the largest network accepted ({@code max-parameters})
     * @return an initialised {@link MultiLayerNetwork} (Sequential) or {@link ComputationGraph} (functional)
     * @throws InputException when the file is not a Keras 2 HDF5 model this import supports
     */
    public static Model read(String source, Path localFile, double fallbackLearningRate, long maxParameters) {
        KerasFile.Checked checked = KerasFile.check(source, localFile, maxParameters);
        Model imported = importModel(source, localFile, checked);
        if (imported instanceof MultiLayerNetwork net) {
            MultiLayerNetwork trained = checked.training() ? net
                    : KerasTraining.withDefaults(source, net, fallbackLearningRate);
            return KerasLayout.toNchw(source, trained);
        }
        ComputationGraph graph = (ComputationGraph) imported;
        ComputationGraph trained = checked.training() ? graph
                : KerasTraining.withDefaults(source, graph, fallbackLearningRate);
        return KerasLayout.toNchw(source, trained);
    }

    private static Model importModel(String source, Path file, KerasFile.Checked checked) {
        hdf5.H5PLset_loading_state(0);   // no filter plugins: the check allows only deflate and shuffle
        try {
            // Training config enforced: optimizer and loss come from the file when it has them.
            return checked.sequential()
                    ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true)
                    : KerasModelImport.importKerasModelAndWeights(file.toString(), true);
        } catch (UnsupportedKerasConfigurationException e) {
            throw unsupported(source, checked.modelConfig(), e);
        } catch (InvalidKerasConfigurationException | IOException | RuntimeException e) {
            throw new InputException("Keras model " + source + " is not a Keras 2 model DL4J can import ("
                    + firstLine(e) + "); " + KerasFile.SUPPORTED, e);
        } catch (StackOverflowError e) {
            throw tooDeep(source);
        }
    }

    static InputException unsupported(String source, JsonNode config, UnsupportedKerasConfigurationException e) {
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

    static InputException tooDeep(String source) {
        return new InputException("Keras model " + source + " has a model_config nested deeper than " + MAX_DEPTH
                + " levels, deeper than any Keras model's architecture");
    }

    /** DL4J appends "Please file an issue at ..." to every message: not advice for a user's file. */
    private static String stripAdvice(String message) {
        int i = message.indexOf(". Please file an issue");
        return i < 0 ? message : message.substring(0, i);
    }

    static String firstLine(Throwable e) {
        String s = stripAdvice(String.valueOf(e.getMessage()));
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
