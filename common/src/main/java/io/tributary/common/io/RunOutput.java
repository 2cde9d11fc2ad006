package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The output directory of one run on a Hadoop filesystem. Every file is written under a temporary
 * name ({@code _tmp.<name>.<uuid>}, which Hadoop readers skip) and renamed into place only when
 * complete, so a reader never sees half a file. A run that fails calls {@link #abort()}: its
 * temporary files go, and a directory it created goes too when nothing else is in it.
 *
 * <p>While a run holds the directory, a lock file ({@value #LOCK_FILE}, an {@link FsLock}: atomic
 * create-if-absent on local disks and HDFS) names its host, process and start time; a second run is refused.
 * The lock goes with {@link #finish()} or {@link #abort()}; one left by a killed run is broken only
 * on request ({@code --force-unlock}), never silently.
 */
public final class RunOutput {
    /** Writes a file's content. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** The lock file's name; the leading underscore hides it from Hadoop readers. */
    public static final String LOCK_FILE = "_lock";

    private final HadoopFs.Location dir;
    private final boolean created;
    private final List<Path> temporaries = new ArrayList<>();
    private FsLock lock;

    private RunOutput(HadoopFs.Location dir, boolean created) {
        this.dir = dir;
        this.created = created;
    }

    /** {@link #claim(HadoopFs.Location, boolean, boolean)} without breaking a stale lock. */
    public static RunOutput claim(HadoopFs.Location dir, boolean overwrite) {
        return claim(dir, overwrite, false);
    }

    /**
     * Claims and locks an output directory. An existing one is refused unless {@code overwrite}; then
     * files are replaced one by one as the run publishes them. A directory locked by another run is
     * refused unless {@code forceUnlock}, which breaks the lock (with a warning naming its owner).
     */
    public static RunOutput claim(HadoopFs.Location dir, boolean overwrite, boolean forceUnlock) {
        RunOutput output = open(dir, overwrite, forceUnlock);
        try {
            output.lock(forceUnlock);
        } catch (RuntimeException e) {
            output.abort();
            throw e;
        }
        return output;
    }

    private static RunOutput open(HadoopFs.Location dir, boolean overwrite, boolean forceUnlock) {
        FileSystem fs = dir.fs();
        try {
            FileStatus status = fs.getFileStatus(dir.path());
            if (!status.isDirectory()) {
                throw new InputException("Output " + dir + " exists and is a file; --output must name a directory");
            }
            if (!overwrite && !(forceUnlock && onlyLockAndChecksums(dir))) {
                throw new InputException("Output " + dir + " already exists; pass --overwrite to replace its model, "
                        + "or choose another --output");
            }
            probeWritable(dir);
            return new RunOutput(dir, false);
        } catch (FileNotFoundException e) {
            // New directory: create it below.
        } catch (IOException e) {
            throw new InputException("Cannot use output " + dir + ": " + HadoopFs.describe(e));
        }
        try {
            if (!fs.mkdirs(dir.path())) {
                throw new InputException("Cannot create output directory " + dir);
            }
            fs.setPermission(dir.path(), FsPermission.getDirDefault().applyUMask(HadoopFs.umask(fs)));
            probeWritable(dir);
        } catch (IOException e) {
            throw new InputException("Cannot create output directory " + dir + ": " + HadoopFs.describe(e));
        }
        return new RunOutput(dir, true);
    }

    private static boolean onlyLockAndChecksums(HadoopFs.Location dir) throws IOException {
        for (FileStatus s : dir.fs().listStatus(dir.path())) {
            String name = s.getPath().getName();
            if (!name.equals(LOCK_FILE) && !name.endsWith(".crc") && !name.startsWith("_tmp.")) return false;
        }
        return true;
    }

    private void lock(boolean force) {
        lock = FsLock.acquire(dir.child(LOCK_FILE), "output " + dir, force);
    }

    /** Releases the lock: the run is complete. */
    public synchronized void finish() {
        unlock();
    }

    private void unlock() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    private static void probeWritable(HadoopFs.Location dir) throws IOException {
        Path probe = new Path(dir.path(), "_tmp.probe." + UUID.randomUUID());
        HadoopFs.createSynced(dir.fs(), probe, out -> { });
        dir.fs().delete(probe, false);
    }

    public HadoopFs.Location location() {
        return dir;
    }

    /** Writes {@code name} atomically: to a temporary name, flushed to stable storage, then renamed over any old file. */
    public synchronized void write(String name, Writer writer) throws IOException {
        Path tmp = HadoopFs.temporaryFor(new Path(dir.path(), name));
        temporaries.add(tmp);
        HadoopFs.replace(dir.fs(), new Path(dir.path(), name), tmp, writer::write);
        temporaries.remove(tmp);
    }

    /** Removes what an unfinished run left: temporary files, and the directory if this run created it and it is empty. */
    public synchronized void abort() {
        FileSystem fs = dir.fs();
        for (Path tmp : temporaries) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // Best effort: the name marks it as temporary for readers.
            }
        }
        temporaries.clear();
        unlock();
        if (created) {
            try {
                FileStatus[] left = fs.listStatus(dir.path());
                boolean onlyChecksums = true;
                for (FileStatus s : left) {
                    if (!s.getPath().getName().endsWith(".crc")) onlyChecksums = false;
                }
                if (onlyChecksums) {
                    fs.delete(dir.path(), true);
                }
            } catch (IOException ignored) {
                // Nothing was published; an empty directory is harmless.
            }
        }
    }
}
