package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigException;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.ModelSize;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.hadoop.conf.Configuration;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The one way a run gets its network, from what {@code --model} names: a zoo name (built for the
 * data's shape), a DL4J configuration {@code .json} (a MultiLayerConfiguration or a
 * ComputationGraphConfiguration, initialised afresh), a Keras 2 {@code .h5} file (its weights), or a
 * model {@code .zip} written by Tributary or DL4J's ModelSerializer, or a run directory holding one
 * (its parameters and updater state: training continues from it). Files are local paths or Hadoop
 * URIs, and every one is read as data ({@link ModelStore}, {@link KerasImport}): nothing in them runs.
 *
 * <p>{@link #of} checks the name (and that a file exists) before anything is written; {@link #network}
 * builds or loads the network once and checks that it takes the data's examples and predicts its
 * classes, before Spark starts where the data's shape is known then.
 */
public final class ModelSource {
    /** What {@code --model} names. */
    public enum Kind {
        ZOO("zoo model"), CONFIGURATION("DL4J configuration"), KERAS("Keras model"), SAVED("saved model");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final TrainConfig config;
    private final Kind kind;
    private final HadoopFs.Location location;
    /** A file's network, read when the source is made; {@code null} for a zoo name (built for the data's shape). */
    private final Network loaded;
    private InputShape builtFor;
    private int builtForClasses;
    private Network built;

    private ModelSource(TrainConfig config, Kind kind, HadoopFs.Location location) {
        this.config = config;
        this.kind = kind;
        this.location = location;
        this.loaded = kind == Kind.ZOO ? null : load();
    }

    /**
     * Classifies {@code config.model()} and reads a file's network (so a file that cannot be used is
     * refused before anything is written).
     *
     * @throws ConfigException for a name that is neither a zoo name nor a file of a supported kind
     * @throws InputException  for a file that does not exist, cannot be reached or holds no usable network
     */
    public static ModelSource of(TrainConfig config, Configuration hadoopConf) {
        String value = config.model();
        if (ModelZoo.names().contains(value)) {
            return new ModelSource(config, Kind.ZOO, null);
        }
        Kind kind = kindOf(value);
        if (kind == null) {
            throw new ConfigException("model", "\"" + value + "\"", "must be a zoo name (" + String.join(", ",
                    ModelZoo.names()) + "), a DL4J configuration (.json), a Keras 2 HDF5 file (.h5) or a model.zip"
                    + " (or a run directory holding one)");
        }
        HadoopFs.Location location = HadoopFs.resolve("model", value, hadoopConf);
        try {
            boolean directory = location.fs().getFileStatus(location.path()).isDirectory();
            if (directory && kind != Kind.SAVED) {
                throw new InputException("Model " + location + " is a directory, not a " + kind.label() + " file");
            }
        } catch (FileNotFoundException e) {
            throw new InputException("Model " + location + " does not exist");
        } catch (IOException e) {
            throw new InputException("Model " + location + " cannot be read: " + HadoopFs.describe(e), e);
        }
        return new ModelSource(config, kind, location);
    }

    /** The kind a file name says, or {@code null}: refused, naming what is supported. */
    private static Kind kindOf(String value) {
        String name = value.toLowerCase(Locale.ROOT);
        if (name.endsWith(".keras")) {
            throw new InputException("Model " + value + " is a Keras 3 .keras archive, which Tributary does not read;"
                    + " save the model in Keras 2's HDF5 format (model.save(\"model.h5\")) and pass the .h5 file");
        }
        if (name.endsWith(".json")) {
            return Kind.CONFIGURATION;
        }
        if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
            return Kind.KERAS;
        }
        if (name.endsWith(".zip") || value.contains("/") || value.contains(":")) {
            return Kind.SAVED;   // a model.zip, or a run or registry version directory holding one
        }
        return null;
    }

    public Kind kind() {
        return kind;
    }

    /** What {@code --model} named, for messages and metadata. */
    public String name() {
        return kind == Kind.ZOO ? config.model() : location.toString();
    }

    /**
     * The network for examples of {@code shape} in {@code numClasses} classes, in DL4J's standard layers (callers that train or score
     * it take {@link Network#forBackend}): a zoo model built for the shape, a configuration
     * initialised, a Keras or saved model with its weights. Refused (an {@link InputException} naming
     * both shapes) when it does not take the data's examples or predict its classes, or when it has
     * more than {@code max-parameters} parameters. Built once: a second call for the same shape
     * returns the same network.
     */
    public Network network(InputShape shape, int numClasses) {
        if (built != null && shape.equals(builtFor) && numClasses == builtForClasses) {
            return built;
        }
        Network net = loaded;
        if (net == null) {
            net = zoo(shape, numClasses);
        } else {
            net.requireFits(shape, numClasses, kind.label() + " " + location, config.data());
        }
        built = net;
        builtFor = shape;
        builtForClasses = numClasses;
        return net;
    }

    /**
     * Checks that the model takes examples of {@code shape}, for when the data's classes are not known
     * yet: a file's network on one blank example; a zoo model by the smallest images it takes and by
     * its size for two classes (a lower bound: more classes only add parameters) within {@code max-parameters}.
     */
    public void requireTakes(InputShape shape) {
        if (loaded != null) {
            loaded.outputsFor(shape, kind.label() + " " + location, config.data());
        } else {
            requireSize(NetworkConfig.of(ModelZoo.build(config.model(), shape, 2, config.learningRate(),
                    config.seed(), config.hidden())));
        }
    }

    /** Reads the file's network, within {@code max-parameters}. */
    private Network load() {
        Network net;
        try {
            net = switch (kind) {
                case CONFIGURATION -> {
                    NetworkConfig conf = read(in -> ModelStore.readConfigurationFile(location.toString(), in));
                    requireSize(conf);
                    yield initialised(conf);
                }
                case KERAS -> read(in -> KerasImport.read(location.toString(), in, config.learningRate(),
                        config.maxParameters()));
                case SAVED -> ModelStore.load(location);
                case ZOO -> throw new IllegalStateException("a zoo model is built for the data's shape");
            };
        } catch (InputException e) {
            // Errors that come from the network's form (a graph with two inputs) do not name the file yet.
            throw e.getMessage().contains(location.toString()) ? e
                    : new InputException(kind.label() + " " + location + ": " + e.getMessage(), e);
        }
        requireSize(net.config());
        return net;
    }

    /**
     * A configuration file's network, initialised afresh. DL4J checks a layer's values only as it
     * builds it (an {@code nOut} of 0, a missing optimizer or weight initialiser), so what it throws
     * here is the file's fault: an input error naming it.
     */
    private Network initialised(NetworkConfig conf) {
        try {
            return conf.init(null);
        } catch (InputException e) {
            throw e;
        } catch (RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            throw new InputException(kind.label() + " " + location + " describes a network DL4J cannot build ("
                    + e.getClass().getSimpleName() + ": " + m.lines().findFirst().orElse(m) + ")", e);
        }
    }

    private Network zoo(InputShape shape, int numClasses) {
        NetworkConfig conf = NetworkConfig.of(ModelZoo.build(config.model(), shape, numClasses, config.learningRate(),
                config.seed(), config.hidden()));
        requireSize(conf);
        return conf.init(null);
    }

    private void requireSize(NetworkConfig conf) {
        ModelSize.requireAtMost(conf, config.maxParameters(), name());
    }

    /** Reads what {@code location} holds with {@code reader}; a missing or unreadable file is an {@link InputException}. */
    private <T> T read(Reader<T> reader) {
        try (InputStream in = location.fs().open(location.path())) {
            return reader.read(in);
        } catch (FileNotFoundException e) {
            throw new InputException("Model " + location + " does not exist");
        } catch (IOException e) {
            throw new InputException("Model " + location + " cannot be read: " + HadoopFs.describe(e), e);
        }
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(InputStream in) throws IOException;
    }
}
