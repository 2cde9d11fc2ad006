package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lock file on a Hadoop filesystem, created with create-if-absent (atomic on HDFS and on local
 * disks), holding the owner's host, process, user and start time. A lock left by a killed process
 * is broken only on request, with a warning naming its owner, never silently.
 */
public final class FsLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FsLock.class);

    private final HadoopFs.Location file;
    private boolean held = true;

    private FsLock(HadoopFs.Location file) {
        this.file = file;
    }

    /**
     * Takes the lock {@code file}.
     *
     * @param what  what is locked ("output hdfs://...", "registry ..."), named in errors
     * @param force break a lock another process holds
     * @throws InputException when another process holds it, or it cannot be created
     */
    public static FsLock acquire(HadoopFs.Location file, String what, boolean force) {
        byte[] owner = Json.write(owner()).getBytes(StandardCharsets.UTF_8);
        try {
            if (force && file.fs().exists(file.path())) {
                log.warn("Breaking the lock of {} held by {}", what, describeOwner(file));
                file.fs().delete(file.path(), false);
            }
            HadoopFs.createSynced(file.fs(), file.path(), out -> out.write(owner));
            return new FsLock(file);
        } catch (IOException e) {
            // FileAlreadyExistsException, or the same reported only in the message by some filesystems.
            if (e instanceof FileAlreadyExistsException
                    || (e.getMessage() != null && e.getMessage().contains("already exists"))) {
                throw new InputException(Character.toUpperCase(what.charAt(0)) + what.substring(1)
                        + " is locked by another run (" + describeOwner(file) + ", in "
                        + file + "); wait for it to finish, or, if that run is dead, pass --force-unlock");
            }
            try {
                file.fs().delete(file.path(), false);   // what the failed create left, if anything
            } catch (IOException ignored) {
                // The original error is the one to report.
            }
            throw new InputException("Cannot lock " + what + ": " + HadoopFs.describe(e));
        }
    }

    /** The holder of a lock file, in words ("host h, pid 12, user u, since ..."). */
    public static String describeOwner(HadoopFs.Location file) {
        try (InputStream in = file.fs().open(file.path())) {
            Map<String, Object> m = Json.readMap(in.readAllBytes());
            return "host " + m.get("host") + ", pid " + m.get("pid") + ", user " + m.get("user") + ", since "
                    + m.get("started");
        } catch (IOException | RuntimeException e) {
            return "owner unreadable";
        }
    }

    private static Map<String, Object> owner() {
        Map<String, Object> m = new LinkedHashMap<>();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        m.put("host", host);
        m.put("pid", ProcessHandle.current().pid());
        m.put("user", System.getProperty("user.name"));
        m.put("started", Instant.now().toString());
        return m;
    }

    public Path path() {
        return file.path();
    }

    /** Releases the lock; a failure to remove the file is logged (the lock then needs --force-unlock). */
    @Override
    public synchronized void close() {
        if (!held) return;
        try {
            file.fs().delete(file.path(), false);
            held = false;
        } catch (IOException e) {
            log.warn("Could not remove the lock {}: {}", file, HadoopFs.describe(e));
        }
    }
}
