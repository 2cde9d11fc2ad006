package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * One streaming pass over a model zip's entries, in order, enforcing what a model file may hold:
 * only the entries DL4J's writer puts there for a network without a normalizer, each once, as a
 * plain name, in the writer's order, within its size bound. Anything else is refused before its
 * content is read. Arrays are read with ND4J's own binary format ({@link ArrayEntry}), never with
 * Java serialization.
 */
final class ModelZipReader {
    static final String CONFIGURATION = ModelSerializer.CONFIGURATION_JSON;
    static final String COEFFICIENTS = ModelSerializer.COEFFICIENTS_BIN;
    /** Written after an empty {@link #COEFFICIENTS} entry by DL4J for a network without parameters. */
    static final String NO_PARAMS = ModelSerializer.NO_PARAMS_MARKER;
    static final String UPDATER = ModelSerializer.UPDATER_BIN;
    /** Every entry a model file may hold, in the order the writer puts them. */
    static final List<String> ENTRIES = List.of(CONFIGURATION, COEFFICIENTS, NO_PARAMS, UPDATER);
    /** The bound on the configuration JSON (the reference CNN's is about 10 KB). */
    static final int MAX_CONFIGURATION_BYTES = 16 << 20;
    /** The bound on the values of one array entry, before anything is allocated for it. */
    static final long MAX_ARRAY_BYTES = 4L << 30;

    /** What was read: the configuration, and the network when it was built. */
    record Contents(NetworkConfig configuration, Network network) {
    }

    private final String source;
    private final boolean build;

    /**
     * @param source names the file in errors
     * @param build  read the arrays and build the network; otherwise check the arrays' headers and
     *               sizes only, allocating nothing for them
     */
    ModelZipReader(String source, boolean build) {
        this.source = source;
        this.build = build;
    }

    /** Reads the zip from {@code in}, which is left open. */
    Contents read(InputStream in) {
        try (ZipInputStream zip = new ZipInputStream(unclosable(in))) {
            return readEntries(zip);
        } catch (IOException e) {
            throw new InputException("Model file " + source + " is not a readable zip: " + e.getMessage(), e);
        } catch (InputException e) {
            throw e;
        } catch (RuntimeException e) {
            // e.g. ZipInputStream's IllegalArgumentException for an entry name that is not valid UTF-8
            throw new InputException("Model file " + source + " is not a readable zip: " + e, e);
        }
    }

    private Contents readEntries(ZipInputStream zip) throws IOException {
        Set<String> seen = new HashSet<>();
        int last = -1;
        ConfigurationEntry.Parsed config = null;
        INDArray params = null;
        boolean noParams = false;
        Network net = null;
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            String name = e.getName();
            int index = ENTRIES.indexOf(name);
            if (index < 0) {
                throw refuse(name, foreign(name));
            }
            if (!seen.add(name)) {
                throw refuse(name, "appears twice; each entry may appear once");
            }
            if (index < last || (index > 0 && config == null)) {
                throw refuse(name, "is out of place; entries must come in the order DL4J writes them ("
                        + String.join(", ", ENTRIES) + ")");
            }
            last = index;
            switch (name) {
                case CONFIGURATION -> config = ConfigurationEntry.parse(source, CONFIGURATION, bounded(zip, name));
                case COEFFICIENTS -> {
                    if (config.numParams() == 0) {
                        if (zip.read() != -1) {
                            throw refuse(name, "holds values but the configuration has no parameters");
                        }
                    } else if (build) {
                        params = ArrayEntry.read(source, name, zip, config.numParams(), null);
                    } else {
                        ArrayEntry.check(source, name, zip, config.numParams());
                    }
                }
                case NO_PARAMS -> {
                    if (config.numParams() != 0 || zip.read() != -1) {
                        throw refuse(name, "may only be an empty marker after the coefficients of a network"
                                + " without parameters, and this configuration has " + config.numParams());
                    }
                    noParams = true;
                }
                case UPDATER -> {
                    if (build) {
                        net = built(config, params);
                        INDArray view = net.updaterState();
                        if (view == null) {
                            throw refuse(name, "is present but the configuration's updaters keep no state");
                        }
                        net.setUpdaterState(ArrayEntry.read(source, name, zip, view.length(), view.dataType()));
                    } else {
                        ArrayEntry.check(source, name, zip, -1);
                    }
                }
                default -> throw new IllegalStateException(name);
            }
        }
        if (config == null) {
            throw new InputException("Model file " + source + " has no " + CONFIGURATION
                    + "; a model file is a zip in DL4J's ModelSerializer layout");
        }
        if (!seen.contains(COEFFICIENTS) || (config.numParams() == 0 && !noParams)) {
            throw new InputException("Model file " + source + " has no " + COEFFICIENTS + " for the "
                    + config.numParams() + " parameters of its configuration");
        }
        if (build && net == null) {
            net = built(config, params);
        }
        return new Contents(config.configuration(), net);
    }

    /** The network of {@code config} with {@code params} (null: it has none), as DL4J's loader builds it. */
    private Network built(ConfigurationEntry.Parsed config, INDArray params) {
        try {
            NetworkConfig conf = config.configuration();
            if (params != null && conf.dataType() != params.dataType()) {
                conf = conf.withDataType(params.dataType());
            }
            return conf.init(params);
        } catch (RuntimeException e) {
            throw new InputException("Model file " + source + " cannot be built from its " + CONFIGURATION + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code in}, with close() doing nothing: the stream is its opener's to close. */
    static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
            }
        };
    }

    private byte[] bounded(InputStream in, String name) throws IOException {
        byte[] bytes = in.readNBytes(MAX_CONFIGURATION_BYTES + 1);
        if (bytes.length > MAX_CONFIGURATION_BYTES) {
            throw refuse(name, "is larger than " + MAX_CONFIGURATION_BYTES + " bytes, the bound for a configuration");
        }
        return bytes;
    }

    private static String foreign(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains(":") || name.equals("..")
                || name.equals(".")) {
            return "is a path, not a plain file name (it could point outside the archive); entries must be plain"
                    + " names";
        }
        String allowed = " (only " + String.join(", ", ENTRIES) + ")";
        if (name.equals(ModelSerializer.PREPROCESSOR_BIN) || name.equals(ModelSerializer.NORMALIZER_BIN)) {
            return "is not an entry Tributary writes" + allowed + "; DL4J would deserialize it as a Java object,"
                    + " which can run code from the file, so it is refused unread";
        }
        return "is not an entry Tributary writes" + allowed + ", so it is refused unread";
    }

    private InputException refuse(String entry, String problem) {
        return refuse(source, entry, problem);
    }

    /** The one error shape: the file, the entry, what is wrong and the rule. */
    static InputException refuse(String source, String entry, String problem) {
        return new InputException("Model file " + source + ": entry \"" + entry + "\" " + problem);
    }
}
