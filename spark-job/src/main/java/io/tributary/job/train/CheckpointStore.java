package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Checkpoints in {@code OUTPUT/checkpoints}: for each, the model with its updater state
 * ({@code ckpt-EEEE-SSSSS.zip}), the training position and config ({@code .json}) and, written last,
 * their SHA-256 sums ({@code .sha256}). Each file goes to a temporary name, is synced and renamed
 * into place; a checkpoint without its checksum file, or whose files do not match it, is not used.
 * Models are written and read by {@link ModelStore}, so a checkpoint is data: whoever can write the
 * directory can recompute its checksums, but not make loading it run code.
 */
public final class CheckpointStore {
    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);
    public static final String DIR = "checkpoints";

    private final HadoopFs.Location dir;

    public CheckpointStore(HadoopFs.Location output) {
        this.dir = output.child(DIR);
    }

    /**
     * A checkpoint read back: its name, the position and config ({@link CheckpointState}), and the network
     * with its updater state ({@link #network}), built on first use: the zip's entries have been
     * checked already, so reading only the state (a resumed run's config) allocates no parameters.
     */
    public static final class Loaded {
        private final String name;
        private final String source;
        private final byte[] zip;
        private final CheckpointState state;
        private Network network;

        Loaded(String name, String source, byte[] zip, CheckpointState state) {
            this.name = name;
            this.source = source;
            this.zip = zip;
            this.state = state;
        }

        public String name() {
            return name;
        }

        public CheckpointState state() {
            return state;
        }

        /** The network with its parameters, updater state and counters; an {@link InputException} if they do not fit. */
        public synchronized Network network() {
            if (network == null) {
                network = ModelStore.read(source, new ByteArrayInputStream(zip));
            }
            return network;
        }
    }

    /** Deletes every checkpoint: a new run (--overwrite) must not resume or keep an older run's. */
    public void clear() throws IOException {
        dir.fs().delete(dir.path(), true);
    }

    /** Writes a checkpoint named by its position, then deletes all but the newest {@code keep}. */
    public void write(Network net, CheckpointState state, int keep) throws IOException {
        String name = String.format(Locale.ROOT, "ckpt-%04d-%05d", state.position().epoch(),
                state.position().stepsDone());
        try {
            writeAndPrune(net, name, state, keep);
        } catch (IOException e) {
            throw new IOException("Cannot write checkpoint " + name + " to " + dir + ": " + HadoopFs.describe(e), e);
        }
    }

    private void writeAndPrune(Network net, String name, CheckpointState state, int keep) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        ModelStore.write(net, zip);
        byte[] model = zip.toByteArray();
        byte[] json = Json.write(state.toMap()).getBytes(StandardCharsets.UTF_8);
        dir.fs().mkdirs(dir.path());
        put(name + ".zip", model);
        put(name + ".json", json);
        put(name + ".sha256", (sha256(model) + "  " + name + ".zip\n" + sha256(json) + "  " + name + ".json\n")
                .getBytes(StandardCharsets.UTF_8));
        List<String> names = complete();
        for (int i = keep; i < names.size(); i++) {
            for (String ext : new String[] {".sha256", ".json", ".zip"}) {
                dir.fs().delete(new Path(dir.path(), names.get(i) + ext), false);
            }
        }
    }

    /**
     * The newest checkpoint whose files match their checksums; each one that does not is reported
     * (logged and given to {@code rejected}) and the one before it tried. A checkpoint whose
     * checksums match but whose zip holds what Tributary does not write was not written by
     * Tributary: it is refused ({@link InputException}) rather than skipped, since falling back to
     * an older one would hide the tampering.
     */
    public Loaded newestValid(Consumer<String> rejected) {
        List<String> names;
        try {
            names = complete();
        } catch (IOException e) {
            throw new InputException("Cannot list checkpoints in " + dir + ": " + HadoopFs.describe(e));
        }
        for (String name : names) {
            try {
                byte[] model = read(name + ".zip");
                byte[] json = read(name + ".json");
                String sums = new String(read(name + ".sha256"), StandardCharsets.UTF_8);
                if (!sums.equals(sha256(model) + "  " + name + ".zip\n" + sha256(json) + "  " + name + ".json\n")) {
                    throw new IOException("its files do not match their SHA-256 sums");
                }
                CheckpointState state = CheckpointState.read(json, dir.child(name + ".json").toString());
                String source = dir.child(name + ".zip").toString();
                ModelStore.readConfiguration(source, new ByteArrayInputStream(model));
                return new Loaded(name, source, model, state);
            } catch (InputException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                String message = "Checkpoint " + name + " in " + dir + " is not usable (" + HadoopFs.describe(e)
                        + "); trying the one before it";
                log.warn(message);
                rejected.accept(message);
            }
        }
        throw new InputException("No usable checkpoint in " + dir + "; nothing to resume");
    }

    /** Names of checkpoints that have their checksum file, newest first. */
    private List<String> complete() throws IOException {
        FileStatus[] files;
        try {
            files = dir.fs().listStatus(dir.path());
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (FileStatus f : files) {
            String n = f.getPath().getName();
            if (n.startsWith("ckpt-") && n.endsWith(".sha256")) {
                names.add(n.substring(0, n.length() - ".sha256".length()));
            }
        }
        names.sort(Comparator.reverseOrder());
        return names;
    }

    private void put(String name, byte[] content) throws IOException {
        HadoopFs.replace(dir.fs(), new Path(dir.path(), name), out -> out.write(content));
    }

    private byte[] read(String name) throws IOException {
        try (InputStream in = dir.fs().open(new Path(dir.path(), name))) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
