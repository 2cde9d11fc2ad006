package io.tributary.job.shared;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * System properties Aeron reads when its classes load and its media driver starts; applied in every
 * JVM that takes part in shared-gradient training (the driver, and each executor by
 * {@link io.tributary.job.spark.TributaryPlugin}) before any Aeron class is used.
 */
public final class AeronSettings {
    private static final Logger log = LoggerFactory.getLogger(AeronSettings.class);

    /**
     * DL4J sets Aeron's client liveness timeout to 30 s; Aeron 1.32 refuses to start unless the
     * publication unblock timeout is larger (its default is 15 s).
     */
    static final String UNBLOCK_TIMEOUT_PROPERTY = "aeron.publication.unblock.timeout";
    static final String UNBLOCK_TIMEOUT_NS = "60000000000";
    /** The term buffer length DL4J uses unless {@code aeron.term.buffer.length} is set: 32 MiB. */
    private static final long DL4J_TERM_BUFFER = 1L << 25;
    /** Log buffers a JVM may map: one publication and one image for each of a few peers, three terms each. */
    private static final int LOG_BUFFERS = 8;

    private static String appliedDir;

    private AeronSettings() {
    }

    /** The Java options that set, at JVM start, what {@link #apply} sets later. */
    public static String javaOptions() {
        return "-D" + UNBLOCK_TIMEOUT_PROPERTY + "=" + UNBLOCK_TIMEOUT_NS;
    }

    /**
     * Sets the unblock timeout and puts this JVM's Aeron directory in a new private directory
     * ({@link #privateDirectory}) under {@code baseDir}, or under the
     * temporary directory, with a warning, when {@code baseDir} lacks the room Aeron's buffers need.
     * Values the user set with {@code -D} are kept. Returns the Aeron directory.
     */
    public static synchronized String apply(String baseDir) {
        if (System.getProperty(UNBLOCK_TIMEOUT_PROPERTY) == null) {
            System.setProperty(UNBLOCK_TIMEOUT_PROPERTY, UNBLOCK_TIMEOUT_NS);
        }
        if (appliedDir != null || System.getProperty("aeron.dir") != null) {
            return appliedDir != null ? appliedDir : System.getProperty("aeron.dir");
        }
        long needed = requiredBytes();
        Path base = Paths.get(baseDir);
        long usable = usableBytes(base);
        if (usable < needed) {
            Path fallback = Paths.get(System.getProperty("java.io.tmpdir"));
            log.warn("Aeron directory base {} has {} MiB free, less than the {} MiB Aeron's buffers need;"
                            + " using {} instead (slower than shared memory). Set shared-aeron-dir to a larger tmpfs.",
                    base, usable >> 20, needed >> 20, fallback);
            base = fallback;
        }
        // One directory per JVM (several executors may share a host), inside a private one of its own.
        appliedDir = privateDirectory(base).resolve("aeron").toString();
        System.setProperty("aeron.dir", appliedDir);
        // Aeron makes its directory when its media driver starts; nothing is there to delete.
        System.setProperty("aeron.dir.delete.on.start", "false");
        System.setProperty("aeron.dir.delete.on.shutdown", "true");
        return appliedDir;
    }

    /**
     * A new directory under {@code base} that only this user can enter (mode 0700), made under a
     * random name that did not exist: a link planted by another user of a shared base such as /dev/shm
     * is never followed, and nothing that was there before is deleted. Aeron deletes and re-creates its
     * own directory when its driver starts; inside this one no one else can take its place meanwhile.
     * Removed when the JVM exits (Aeron deletes its own directory at shutdown).
     */
    static Path privateDirectory(Path base) {
        try {
            Path dir = Files.createTempDirectory(base, "tributary-aeron-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a private Aeron directory under " + base + ": " + e, e);
        }
    }

    static long requiredBytes() {
        String configured = System.getProperty("aeron.term.buffer.length");
        long term = configured == null ? DL4J_TERM_BUFFER : Long.parseLong(configured.trim());
        return LOG_BUFFERS * 3 * term + (16L << 20);
    }

    private static long usableBytes(Path dir) {
        try {
            return Files.isDirectory(dir) ? Files.getFileStore(dir).getUsableSpace() : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
