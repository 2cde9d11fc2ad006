package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock file on a Hadoop filesystem, created with an atomic create-if-absent (see {@link AtomicFiles}:
 * the JDK's on local disks, the NameNode's on HDFS), holding its {@link LockOwner}: the owner's host,
 * process, user, start time and a token that makes its content unique. Of any number of runs that try at once, exactly one
 * gets it.
 *
 * <p>A lock is removed only by compare-and-delete: whoever removes it (its holder releasing it, or an
 * operator breaking a stale one with {@code --force-unlock}) first creates a marker named after the
 * lock's content ({@code _tmp.<lock>.breaking.<hash>}, create-if-absent), then checks that the lock
 * still holds that content, deletes it, and removes the marker. So two removers of the same lock
 * cannot both act, a holder never deletes a lock someone else now holds, and of several operators
 * breaking the same stale lock at once exactly one gets it. A lock taken with {@code --force-unlock}
 * in the last {@value #FORCED_GRACE_SECONDS} seconds is not broken again: a second operator racing
 * the first would otherwise break a live lock.
 */
public final class FsLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FsLock.class);
    static final long FORCED_GRACE_SECONDS = 10;
    /** The locks this JVM holds, by qualified path: its own jobs' directories, which are not "another job's". */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final HadoopFs.Location file;
    private final AtomicFiles files;
    private final byte[] content;
    private boolean held = true;

    private FsLock(HadoopFs.Location file, AtomicFiles files, byte[] content) {
        this.file = file;
        this.files = files;
        this.content = content;
    }

    /** What a compare-and-delete found. */
    private enum Removal { REMOVED, CHANGED, BUSY }

    /**
     * Takes the lock {@code file}.
     *
     * @param what  what is locked ("output hdfs://...", "registry ..."), named in errors
     * @param force break a lock another process holds (one left by a killed run)
     * @throws InputException when another process holds it, or it cannot be created
     */
    public static FsLock acquire(HadoopFs.Location file, String what, boolean force) {
        AtomicFiles files = AtomicFiles.of(file.fs());
        byte[] mine = Json.write(LockOwner.current(force).toMap()).getBytes(StandardCharsets.UTF_8);
        try {
            if (force) breakStale(file, files, what);
            if (files.createNew(file.path(), mine)) {
                HELD.add(file.path());
                return new FsLock(file, files, mine);
            }
        } catch (IOException e) {
            throw new InputException("Cannot lock " + what + ": " + HadoopFs.describe(e));
        }
        throw new InputException(capitalized(what) + " is locked by another run (" + describeOwner(file) + ", in "
                + file + "); wait for it to finish, or, if that run is dead, pass --force-unlock");
    }

    private static void breakStale(HadoopFs.Location file, AtomicFiles files, String what) throws IOException {
        byte[] seen = files.read(file.path());
        if (seen == null) return;
        if (seen.length == 0) {
            // On HDFS a lock is visible, empty, between its creation and its first sync.
            throw new InputException(capitalized(what) + " is being locked by another run right now (" + file
                    + " is still empty); if no run is alive, delete " + file);
        }
        LockOwner owner = parse(seen, file);
        if (owner != null && owner.forced() && owner.startedWithin(FORCED_GRACE_SECONDS)) {
            throw new InputException(capitalized(what) + " was taken just now by another --force-unlock ("
                    + describe(owner) + ", in " + file + "); that run is alive (a lock taken with --force-unlock "
                    + "is not broken again within " + FORCED_GRACE_SECONDS + " s)");
        }
        log.warn("Breaking the lock of {} held by {}", what, describe(owner));
        if (removeIfHolds(file, files, seen) == Removal.BUSY) {
            throw new InputException("Another process is removing the lock of " + what + " right now (" + file
                    + "); if none is running, delete " + marker(file, seen) + " and retry");
        }
    }

    /** Deletes the lock if it still holds {@code expected}, excluding every other remover of the same lock. */
    private static Removal removeIfHolds(HadoopFs.Location file, AtomicFiles files, byte[] expected) throws IOException {
        Path marker = marker(file, expected);
        if (!files.createNew(marker, new byte[0])) return Removal.BUSY;
        try {
            if (!Arrays.equals(files.read(file.path()), expected)) return Removal.CHANGED;
            files.delete(file.path());
            return Removal.REMOVED;
        } finally {
            files.delete(marker);
        }
    }

    private static Path marker(HadoopFs.Location file, byte[] content) {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new Path(file.path().getParent(), "_tmp." + file.path().getName() + ".breaking." + hash);
    }

    /** The holder of a lock file, in words ("host h, pid 12, user u, since ..."). */
    public static String describeOwner(HadoopFs.Location file) {
        try {
            byte[] bytes = AtomicFiles.of(file.fs()).read(file.path());
            return bytes == null ? "released just now" : describe(parse(bytes, file));
        } catch (IOException e) {
            return "owner unreadable";
        }
    }

    private static String describe(LockOwner owner) {
        return owner == null ? "owner unreadable" : owner.describe();
    }

    /** The lock's holder, or {@code null} when its content is not a lock Tributary reads (the lock still counts). */
    private static LockOwner parse(byte[] bytes, HadoopFs.Location file) {
        try {
            return LockOwner.from(new JsonFields(Json.readMap(bytes), "Lock " + file));
        } catch (IOException | RuntimeException e) {
            log.debug("Cannot read the owner of lock {}: {}", file, e.getMessage());
            return null;
        }
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    public Path path() {
        return file.path();
    }

    /** Whether this JVM holds the lock {@code file} (a qualified path). */
    public static boolean heldHere(Path file) {
        return HELD.contains(file);
    }

    /**
     * Releases the lock if this holder still has it; a lock another run took over (with
     * --force-unlock) stays. A failure to remove the file is logged (the lock then needs --force-unlock).
     */
    @Override
    public synchronized void close() {
        if (!held) return;
        HELD.remove(file.path());
        try {
            Removal r = removeIfHolds(file, files, content);
            held = false;
            if (r == Removal.CHANGED) {
                log.warn("The lock {} is no longer this run's ({}); left in place", file, describeOwner(file));
            } else if (r == Removal.BUSY) {
                log.warn("Another process is removing the lock {}; left to it", file);
            }
        } catch (IOException e) {
            log.warn("Could not remove the lock {}: {}", file, HadoopFs.describe(e));
        }
    }
}
