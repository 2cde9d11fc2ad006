package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.FusedLayers;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The one place that writes and reads model files: DL4J's ModelSerializer zip layout
 * ({@code configuration.json}, {@code coefficients.bin}, {@code updaterState.bin}), so that files
 * stay readable by plain DL4J. A model file is data: reading one never runs Java deserialization
 * (DL4J's own loader deserializes a {@code preprocessor.bin} entry with {@code ObjectInputStream}),
 * and a file holding any entry Tributary does not write, a path-like or duplicate entry name, an
 * entry beyond its size bound, or arrays that do not fit its configuration is refused with an
 * {@link InputException} naming the file, the entry and the rule ({@link ModelZipReader}).
 */
public final class ModelStore {
    /** The model file of a run directory and of a registry version. */
    public static final String MODEL_FILE = "model.zip";

    private ModelStore() {
    }

    /**
     * Writes {@code net} with its updater state, in DL4J's standard layers ({@link FusedLayers#standard}:
     * a fused layer is an execution detail, and the zip loads in any DL4J program): the entries DL4J's
     * {@code ModelSerializer} writes for a network without a normalizer, in its order and encoding (a
     * network without parameters: an empty coefficients entry and DL4J's marker). They are written at
     * deflate level 0, uncompressed: parameters and Adam's moments deflate by under a tenth, and deflating
     * them took most of a checkpoint's time (about 0.25 s of the reference model's 8 MB), which a run
     * that checkpoints every round pays every round.
     */
    public static void write(Network net, OutputStream out) throws IOException {
        Network standard = net.standard();
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(new LeftOpen(out), 1 << 16));
        zip.setLevel(Deflater.NO_COMPRESSION);
        try (DataOutputStream entry = new DataOutputStream(new BufferedOutputStream(zip, 1 << 16))) {
            zip.putNextEntry(new ZipEntry(ModelZipReader.CONFIGURATION));
            entry.write(standard.config().toJson().getBytes(StandardCharsets.UTF_8));
            entry.flush();
            zip.putNextEntry(new ZipEntry(ModelZipReader.COEFFICIENTS));
            INDArray params = standard.params();
            if (params == null || params.length() == 0) {
                zip.putNextEntry(new ZipEntry(ModelZipReader.NO_PARAMS));
            } else {
                Nd4j.write(params, entry);
                entry.flush();
            }
            INDArray state = standard.updaterState();
            if (state != null) {
                zip.putNextEntry(new ZipEntry(ModelZipReader.UPDATER));
                Nd4j.write(state, entry);
                entry.flush();
            }
        }
    }

    /**
     * Loads a model with its updater state. {@code location} may name the zip itself or a
     * directory holding {@value #MODEL_FILE}.
     */
    public static Network load(HadoopFs.Location location) {
        HadoopFs.Location file = location;
        try {
            if (location.fs().getFileStatus(location.path()).isDirectory()) {
                file = location.child(MODEL_FILE);
            }
            try (InputStream in = file.fs().open(file.path())) {
                return read(file.toString(), in);
            }
        } catch (FileNotFoundException e) {
            throw new InputException("Model " + file + " does not exist");
        } catch (IOException e) {
            throw new InputException("Model " + file + " cannot be read: " + HadoopFs.describe(e));
        }
    }

    /**
     * Reads a model zip from {@code in} (not closed) and builds its network, in DL4J's standard
     * layers, with the saved parameters, updater state and iteration and epoch counts; callers that
     * train or score it run it as {@link FusedLayers#forBackend} has it.
     *
     * @param source names the file in errors
     */
    public static Network read(String source, InputStream in) {
        // In standard layers, also when written by an earlier release that saved the fused layer.
        return new ModelZipReader(source, true).read(in).network().standard();
    }

    /**
     * Checks a model zip from {@code in} (not closed) entry by entry, as {@link #read} does, and
     * returns its configuration without allocating its parameters or building the network: array
     * entries are checked by their headers and sizes only. Their values (and the updater state's
     * exact size, known only once the network is built) are checked when the model is read.
     */
    public static NetworkConfig readConfiguration(String source, InputStream in) {
        return new ModelZipReader(source, false).read(in).configuration();
    }

    /**
     * Reads a network configuration file of its own (DL4J's JSON of a MultiLayerConfiguration or a
     * ComputationGraphConfiguration, {@code --model net.json}) from {@code in} (not closed), with
     * the checks a model zip's configuration gets: bounded size and nesting, classes only from
     * DL4J, ND4J and Tributary, a parameter count within bounds.
     */
    public static NetworkConfig readConfigurationFile(String source, InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(ModelZipReader.MAX_CONFIGURATION_BYTES + 1);
        } catch (IOException e) {
            throw new InputException("Model configuration " + source + " cannot be read: " + HadoopFs.describe(e), e);
        }
        if (bytes.length > ModelZipReader.MAX_CONFIGURATION_BYTES) {
            throw new InputException("Model configuration " + source + " is larger than "
                    + ModelZipReader.MAX_CONFIGURATION_BYTES + " bytes, the bound for a configuration");
        }
        return ConfigurationEntry.parse(source, null, bytes).configuration();
    }

    /** {@code out} for a writer that closes what it writes to: closing flushes it and leaves it open to its owner. */
    private static final class LeftOpen extends FilterOutputStream {
        LeftOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
