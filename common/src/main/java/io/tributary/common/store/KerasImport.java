package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.model.KerasModels;
import io.tributary.common.model.ModelSize;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How a run gets a Keras 2 HDF5 model's network: the file is copied to a private temporary directory
 * (the HDF5 library reads local files only) and checked in Java in this JVM ({@link KerasModels#check}:
 * no native code, nothing allocated by a size the file declares, the network's size against
 * {@code max-parameters}); then DL4J's import and the HDF5 native library read it in a JVM of their
 * own ({@link ImportProcess}: no secrets in its environment, plugin loading off, memory and time
 * bounded by the network's size), which writes the network as a model zip; this JVM reads that zip
 * as data ({@link ModelStore}) after checking that its configuration has the parameter count the check
 * found. A crash, signal, timeout or exhausted memory of the import is an {@link InputException}
 * naming the file; the temporary directory is deleted in every case.
 */
public final class KerasImport {
    /** Bytes of file per parameter allowed beyond {@link #FILE_SLACK}: float64 weights and two optimizer slots. */
    static final long FILE_BYTES_PER_PARAMETER = 24;
    /** Room for a Keras file's structure and architecture beside its weights. */
    static final long FILE_SLACK = 256L << 20;

    private KerasImport() {
    }

    /**
     * Imports the Keras model read from {@code in} (not closed).
     *
     * @param source        how the user named the file, for messages
     * @param learningRate  Adam's learning rate when the file has no training config
     * @param maxParameters the largest network accepted ({@code max-parameters})
     * @return the network, in DL4J's standard layers, with the file's weights
     * @throws InputException when the file is refused, or its import fails, crashes or runs out of time or memory
     */
    public static Network read(String source, InputStream in, double learningRate, long maxParameters) {
        return read(source, in, learningRate, maxParameters, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@link #read(String, InputStream, double, long)} with its temporary directory made in {@code tmp}. */
    static Network read(String source, InputStream in, double learningRate, long maxParameters, Path tmp) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(tmp, "tributary-keras-");
            Path h5 = dir.resolve("model.h5");
            copy(source, in, h5, maxParameters);
            long parameters = KerasModels.check(source, h5, maxParameters);
            Path zip = dir.resolve("model.zip");
            new ImportProcess(source, dir, parameters).run(h5, zip, learningRate, maxParameters);
            return readImported(source, zip, parameters);
        } catch (IOException e) {
            throw new InputException("Cannot read Keras model " + source + ": " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    /** Copies at most what a Keras file of {@code maxParameters} parameters could hold. */
    private static void copy(String source, InputStream in, Path to, long maxParameters) throws IOException {
        long limit = FILE_BYTES_PER_PARAMETER * maxParameters + FILE_SLACK;
        try (OutputStream out = Files.newOutputStream(to)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new InputException(String.format(Locale.ROOT, "Keras model %s is larger than %,d bytes, more"
                            + " than a Keras file of at most %s %,d parameters holds; raise %s to import it", source,
                            limit, ModelSize.KEY, maxParameters, ModelSize.KEY));
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private static Network readImported(String source, Path zip, long parameters) throws IOException {
        String what = "Keras model " + source + " (as imported)";
        NetworkConfig conf;
        try (InputStream in = Files.newInputStream(zip)) {
            conf = ModelStore.readConfiguration(what, in);
        }
        if (conf.numParams() != parameters) {
            throw new InputException("Keras model " + source + " was imported as a network of " + conf.numParams()
                    + " parameters, but its configuration describes " + parameters);
        }
        try (InputStream in = Files.newInputStream(zip)) {
            return ModelStore.read(what, in);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A temporary file left behind is harmless; the import's outcome is what matters.
        }
    }
}
