package io.tributary.common.registry;

import io.tributary.common.InputException;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * A model registry on any Hadoop filesystem:
 * <pre>
 * REGISTRY/models/000001/    model.zip, metrics.json, metadata.json, report.html, holdout.json
 * REGISTRY/champion          {"version": 1, ...}: the version in production, replaced atomically
 * REGISTRY/history.jsonl     one JSON line per retraining and per operator action
 * REGISTRY/_lock             held while a retraining or an operator action runs
 * </pre>
 * Version numbers only grow and are never reused (the next is one past every version that has a
 * directory or a history line, pruned ones included). The champion pointer and the history are each
 * written to a temporary name and renamed into place, so a crash leaves either the old file or the
 * new one. A version becomes champion only after its directory is complete ({@code model.zip} is
 * written last), so a crash between writing a model and moving the pointer leaves the old champion.
 */
public final class ModelRegistry {
    public static final String MODELS = "models";
    public static final String CHAMPION = "champion";
    public static final String HISTORY = "history.jsonl";
    public static final String LOCK = "_lock";

    /** History events. */
    public static final String RETRAIN = "retrain";
    public static final String PROMOTE = "promote";
    public static final String ROLLBACK = "rollback";

    /** Decisions of a retraining. */
    public static final String PROMOTED = "promoted";
    public static final String REJECTED = "rejected";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";

    private final HadoopFs.Location root;

    private ModelRegistry(HadoopFs.Location root) {
        this.root = root;
    }

    /**
     * Opens a registry, creating its directories when {@code create}; otherwise its directory must
     * exist (an empty one is a registry with no models yet).
     */
    public static ModelRegistry open(HadoopFs.Location root, boolean create) {
        try {
            if (create) {
                if (!root.fs().mkdirs(new Path(root.path(), MODELS))) {
                    throw new InputException("Cannot create registry " + root);
                }
            } else if (!root.fs().exists(root.path())) {
                throw new InputException("Registry " + root + " does not exist; "
                        + "a first 'tributary retrain --registry " + root + "' creates it");
            } else if (!root.fs().getFileStatus(root.path()).isDirectory()) {
                throw new InputException("Registry " + root + " is a file; a registry is a directory");
            }
        } catch (IOException e) {
            throw new InputException("Cannot open registry " + root + ": " + HadoopFs.describe(e));
        }
        return new ModelRegistry(root);
    }

    public HadoopFs.Location location() {
        return root;
    }

    /** Takes the registry's lock; refused naming the holder when another retraining or action runs. */
    public FsLock lock(boolean force) {
        return FsLock.acquire(root.child(LOCK), "registry " + root, force);
    }

    /** The highest version: directory names have six digits. */
    public static final int MAX_VERSION = 999_999;
    private static final String VERSION_RULE = "a version is a whole number from 1 to " + MAX_VERSION
            + " (directories 000001 to 999999)";

    /** A version's directory name: six digits, so listings sort by version. */
    public static String name(int version) {
        return String.format("%06d", version);
    }

    /** Parses a version as given by an operator ("3" or "000003"). */
    public static int parseVersion(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,6}") && Integer.parseInt(t) >= 1) return Integer.parseInt(t);
        throw new InputException("Invalid version \"" + text + "\": " + VERSION_RULE + ", such as 3 or 000003");
    }

    /**
     * A version number read from a file: a JSON whole number in range. Anything else (a string, a
     * fraction, a number beyond int that would wrap around) is refused, naming {@code where}.
     */
    static int versionValue(Object value, String where) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof BigInteger) {
            BigInteger v = new BigInteger(value.toString());
            if (v.signum() > 0 && v.compareTo(BigInteger.valueOf(MAX_VERSION)) <= 0) return v.intValue();
        }
        throw new InputException(where + " is " + (value instanceof String ? "\"" + value + "\"" : value)
                + ", not a version: " + VERSION_RULE);
    }

    public HadoopFs.Location versionDir(int version) {
        return root.child(MODELS).child(name(version));
    }

    /** The versions that have a directory, in increasing order (none before the first retraining). */
    public List<Integer> versions() {
        List<Integer> out = new ArrayList<>();
        try {
            for (FileStatus s : root.fs().listStatus(new Path(root.path(), MODELS))) {
                String n = s.getPath().getName();
                if (!s.isDirectory() || !n.matches("\\d+")) continue;   // not a version (a checksum, a stray file)
                if (!n.matches("\\d{6}") || n.equals("000000")) {
                    throw new InputException("Registry directory " + s.getPath() + " is not a version directory: "
                            + "version directories are named with six digits, 000001 to 999999; move it out of "
                            + root.child(MODELS));
                }
                out.add(Integer.parseInt(n));
            }
        } catch (FileNotFoundException e) {
            return out;
        } catch (IOException e) {
            throw new InputException("Cannot list " + root.child(MODELS) + ": " + HadoopFs.describe(e));
        }
        out.sort(null);
        return out;
    }

    /** Whether a version's directory holds its model (written last, so: whether it is complete). */
    public boolean complete(int version) {
        try {
            return root.fs().exists(new Path(versionDir(version).path(), ModelStore.MODEL_FILE));
        } catch (IOException e) {
            throw new InputException("Cannot read " + versionDir(version) + ": " + HadoopFs.describe(e));
        }
    }

    /** One past the highest version that has a directory or a history line. */
    public int nextVersion() {
        int max = 0;
        for (int v : versions()) max = Math.max(max, v);
        for (HistoryEntry e : history()) {
            if (e.version() != null) max = Math.max(max, e.version());
        }
        if (max >= MAX_VERSION) {
            throw new InputException("Registry " + root + " is full: version " + name(max) + " is taken, and "
                    + VERSION_RULE + "; start a new registry");
        }
        return max + 1;
    }

    /**
     * The current champion, if any: the pointer's version, which must be complete. A pointer to a
     * missing or unfinished version is refused (retraining must not compare against nothing).
     */
    public OptionalInt champion() {
        OptionalInt v = championPointer();
        if (v.isPresent() && !complete(v.getAsInt())) {
            throw new InputException("Champion pointer " + root.child(CHAMPION) + " names version "
                    + name(v.getAsInt()) + ", which has no complete directory (" + versionDir(v.getAsInt())
                    + " holds no " + ModelStore.MODEL_FILE + "); restore it, or make another version champion with "
                    + "'tributary registry promote VERSION'");
        }
        return v;
    }

    /** The version the champion pointer names, checked as a number but not for existence (for repairs). */
    public OptionalInt championPointer() {
        HadoopFs.Location pointer = root.child(CHAMPION);
        JsonFields content = JsonFields.readIfExists(pointer, "champion pointer");
        return content == null ? OptionalInt.empty() : OptionalInt.of(ChampionPointer.from(content, pointer).version());
    }

    /**
     * Makes {@code version} the champion by replacing the pointer atomically. The version must be
     * complete. Does not write history: callers record the event with {@link #append}.
     */
    public void setChampion(int version, String event) throws IOException {
        if (!complete(version)) {
            throw new InputException("Version " + name(version) + " cannot become champion: "
                    + versionDir(version) + " holds no " + ModelStore.MODEL_FILE
                    + (versions().contains(version) ? " (its training did not finish)" : " (no such version)"));
        }
        ChampionPointer pointer = new ChampionPointer(version, Instant.now().toString(), event);
        byte[] bytes = (Json.writeLine(pointer.toMap()) + "\n").getBytes(StandardCharsets.UTF_8);
        HadoopFs.replace(root.fs(), new Path(root.path(), CHAMPION), out -> out.write(bytes));
    }

    /** Every history line, oldest first; a file that does not exist yet is an empty history. */
    public List<HistoryEntry> history() {
        HadoopFs.Location file = root.child(HISTORY);
        List<HistoryEntry> out = new ArrayList<>();
        String text;
        try (InputStream in = file.fs().open(file.path())) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            return out;
        } catch (IOException e) {
            throw new InputException("Cannot read " + file + ": " + HadoopFs.describe(e));
        }
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isBlank()) continue;
            try {
                JsonFields entry = new JsonFields(Json.readMap(line.getBytes(StandardCharsets.UTF_8)),
                        "Line " + lineNo + " of " + file);
                out.add(HistoryEntry.from(entry));
            } catch (IOException e) {
                throw new InputException("Line " + lineNo + " of " + file + " is not a JSON object: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Appends one line to the history (stamped with {@code time} when it has none). The file is
     * rewritten whole under a temporary name and renamed: appends are not atomic on every Hadoop
     * filesystem, renames are.
     */
    public void append(HistoryEntry entry) throws IOException {
        HistoryEntry line = entry.at(Instant.now().toString());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        HadoopFs.Location file = root.child(HISTORY);
        try (InputStream in = file.fs().open(file.path())) {
            in.transferTo(all);
        } catch (FileNotFoundException e) {
            // First line.
        }
        if (all.size() > 0 && all.toByteArray()[all.size() - 1] != '\n') all.write('\n');
        all.write((Json.writeLine(line.toMap()) + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] bytes = all.toByteArray();
        HadoopFs.replace(root.fs(), file.path(), out -> out.write(bytes));
    }

    /**
     * The versions that were champion, in the order they became it, with those rolled back from
     * removed: the top is the champion the history says is current, the one below it the target of a
     * rollback.
     */
    public List<Integer> championStack() {
        Deque<Integer> stack = new ArrayDeque<>();
        for (HistoryEntry e : history()) {
            if (ROLLBACK.equals(e.event()) && e.version() != null) {
                int target = e.version();
                // Back to the target: what was above it is rolled back from.
                while (!stack.isEmpty() && stack.peek() != target) stack.pop();
                if (stack.isEmpty()) stack.push(target);
            } else if (e.promoted()) {
                stack.push(e.version());
            }
        }
        List<Integer> out = new ArrayList<>(stack);
        Collections.reverse(out);
        return out;
    }

    /** Every version that was ever champion (the history's, and the pointer's). */
    public TreeSet<Integer> everChampion() {
        TreeSet<Integer> out = new TreeSet<>();
        for (HistoryEntry e : history()) {
            if ((PROMOTE.equals(e.event()) || PROMOTED.equals(e.decision())) && e.version() != null) {
                out.add(e.version());
            }
        }
        championPointer().ifPresent(out::add);
        return out;
    }

    /**
     * The version a rollback returns to: the champion before the current one. When the pointer was
     * moved without a history line (a crash in between), the last recorded champion.
     */
    public int rollbackTarget() {
        OptionalInt current = championPointer();   // a rollback may move away from a missing champion
        if (current.isEmpty()) {
            throw new InputException("Registry " + root + " has no champion to roll back from");
        }
        List<Integer> stack = new ArrayList<>(championStack());
        if (!stack.isEmpty() && stack.get(stack.size() - 1) == current.getAsInt()) {
            stack.remove(stack.size() - 1);
        }
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i) != current.getAsInt() && complete(stack.get(i))) return stack.get(i);
        }
        throw new InputException("Registry " + root + " has no earlier champion than " + name(current.getAsInt())
                + " to roll back to");
    }

    /**
     * Deletes the versions that are neither among the newest {@code keep} nor ever champion.
     *
     * @return the versions deleted
     */
    public List<Integer> prune(int keep) throws IOException {
        List<Integer> all = versions();
        TreeSet<Integer> kept = everChampion();
        for (int i = Math.max(0, all.size() - keep); i < all.size(); i++) kept.add(all.get(i));
        List<Integer> pruned = new ArrayList<>();
        for (int v : all) {
            if (!kept.contains(v)) {
                root.fs().delete(versionDir(v).path(), true);
                pruned.add(v);
            }
        }
        return pruned;
    }

    /** The last retraining that trained a model (promoted or rejected), or {@code null}. */
    public HistoryEntry lastTrained() {
        List<HistoryEntry> h = history();
        for (int i = h.size() - 1; i >= 0; i--) {
            HistoryEntry e = h.get(i);
            if (RETRAIN.equals(e.event()) && (PROMOTED.equals(e.decision()) || REJECTED.equals(e.decision()))) {
                return e;
            }
        }
        return null;
    }
}
