package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Resolves user-given locations (plain paths or Hadoop URIs) to qualified Hadoop paths, and turns
 * filesystem failures into one clear message naming the URI. Connection retries are bounded so an
 * unreachable NameNode fails in seconds rather than retrying without end.
 */
public final class HadoopFs {
    private HadoopFs() {
    }

    /** A resolved location: its filesystem and fully qualified path. */
    public record Location(FileSystem fs, Path path) {
        public Location child(String name) {
            return new Location(fs, new Path(path, name));
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** The crash point ({@link CrashPoint}) of a replacement: the new content is complete, not yet in place. */
    public static final String CRASH_BEFORE_RENAME = "replace-before-rename";

    /** Permissions of what Tributary writes, unless {@code fs.permissions.umask-mode} is set: no access for others. */
    public static final String DEFAULT_UMASK = "027";

    /**
     * Bounds the client's connection retries on a configuration that may be shared with Spark, and
     * sets the default umask for outputs.
     */
    public static Configuration bounded(Configuration conf) {
        setUnlessUserSet(conf, "fs.permissions.umask-mode", DEFAULT_UMASK);
        setUnlessUserSet(conf, "ipc.client.connect.max.retries", "1");
        setUnlessUserSet(conf, "ipc.client.connect.max.retries.on.timeouts", "1");
        setUnlessUserSet(conf, "ipc.client.connect.timeout", "5000");
        setUnlessUserSet(conf, "dfs.client.retry.policy.enabled", "false");
        setUnlessUserSet(conf, "dfs.client.failover.max.attempts", "1");
        return conf;
    }

    /** Sets a key unless a site file, Spark ({@code spark.hadoop.*}) or code already set it; Hadoop's own defaults do not count. */
    static void setUnlessUserSet(Configuration conf, String key, String value) {
        String[] sources = conf.getPropertySources(key);
        boolean onlyDefaults = sources == null || Arrays.stream(sources)
                .allMatch(s -> s.endsWith("-default.xml"));
        if (onlyDefaults) {
            conf.set(key, value, "tributary default");
        }
    }

    /**
     * Resolves a location. A string without a scheme is a local path, made absolute.
     *
     * @param key what the location is for (a config key), named in errors
     */
    public static Location resolve(String key, String location, Configuration conf) {
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            uri = null;
        }
        Path path;
        if (uri == null || uri.getScheme() == null) {
            path = new Path("file", null, new File(location).getAbsolutePath());
        } else {
            path = new Path(uri);
        }
        try {
            FileSystem fs = path.getFileSystem(bounded(conf));
            return new Location(fs, fs.makeQualified(path));
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException("Cannot open " + key + " " + location + ": " + describe(e));
        }
    }

    /**
     * The data files under {@code location} (a file, or a directory recursively), leaving out files
     * and directories whose names start with {@code _} or {@code .} (Hadoop's and Spark's markers,
     * checksum side files). Listed directory by directory with plain listings: a located listing
     * would, on the local filesystem without Hadoop's native library, run a process per file to read
     * its permissions (minutes for an image folder). A symbolic link is listed only when it leads to a
     * file inside {@code location} ({@link DataLinks}); any other is refused.
     */
    public static List<FileStatus> dataFiles(Location location) throws IOException {
        FileSystem fs = location.fs();
        FileStatus top = fs.getFileStatus(location.path());
        DataLinks links = DataLinks.under(location);
        List<FileStatus> files = new ArrayList<>();
        ArrayDeque<FileStatus> pending = new ArrayDeque<>(List.of(top));
        while (!pending.isEmpty()) {
            FileStatus s = pending.pop();
            String name = s.getPath().getName();
            if (s != top && (name.startsWith("_") || name.startsWith("."))) {
                continue;
            }
            if (s != top) links.check(s);
            if (s.isDirectory()) {
                RemoteIterator<FileStatus> it = fs.listStatusIterator(s.getPath());
                while (it.hasNext()) pending.push(it.next());
            } else {
                files.add(s);
            }
        }
        return files;
    }

    /**
     * A short description of a filesystem failure from its cause chain: an unreachable filesystem
     * with the host it tried, otherwise the root cause's message. A root without a message (Hadoop's
     * clients end chains with a bare {@code EOFException} or {@code ClosedChannelException}) is named
     * by its class, with the nearest message above it, which names the hosts.
     */
    public static String describe(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        Throwable root = chain.get(chain.size() - 1);
        for (Throwable t : chain) {
            // The outermost: Hadoop's wrapper names both ends ("Call From a to host:port ..."), the root only "refused".
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                String m = message(t);
                return "the filesystem is unreachable (" + (m != null ? firstLine(m) : t.getClass().getSimpleName()) + ")";
            }
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (root instanceof UnsupportedFileSystemException
                || String.valueOf(root.getMessage()).startsWith("No FileSystem for scheme")) {
            return "no Hadoop filesystem is available for this scheme (" + root.getMessage() + ")";
        }
        if (message(root) != null) return firstLine(message(root));
        for (int i = chain.size() - 2; i >= 0; i--) {
            String m = message(chain.get(i));
            // Skip messages that only repeat a cause's toString() (new IOException(cause) does that).
            if (m != null && !m.equals(String.valueOf(chain.get(i + 1)))) {
                return root.getClass().getSimpleName() + ": " + firstLine(m);
            }
        }
        return root.getClass().getSimpleName();
    }

    /** The message without Hadoop's "For more details see: wiki" tail; {@code null} when there is none. */
    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) return null;
        int more = m.indexOf("; For more details see");
        return more < 0 ? m : m.substring(0, more);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Writes a stream's content. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(FSDataOutputStream out) throws IOException;
    }

    /**
     * Creates {@code path} (failing if it exists), writes it and syncs it to stable storage. Unlike
     * try-with-resources this keeps the first error: HDFS output streams rethrow the very exception
     * that failed a write (a quota, a lost datanode) from close(), which Java would turn into
     * "Self-suppression not permitted".
     */
    public static void createSynced(FileSystem fs, Path path, StreamWriter writer) throws IOException {
        writeSynced(fs.create(path, false), writer);
    }

    /** Writes a just-created stream, syncs and closes it, keeping the first error (see {@link #createSynced}). */
    static void writeSynced(FSDataOutputStream out, StreamWriter writer) throws IOException {
        try {
            writer.write(out);
            out.hsync();
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException closing) {
                if (closing != e) e.addSuppressed(closing);
            }
            throw e;
        }
        out.close();
    }

    /** A temporary name next to {@code target} ({@code _tmp.<name>.<uuid>}), which Hadoop readers skip. */
    public static Path temporaryFor(Path target) {
        return new Path(target.getParent(), "_tmp." + target.getName() + "." + UUID.randomUUID());
    }

    /** The umask for outputs: {@code fs.permissions.umask-mode}, by default {@link #DEFAULT_UMASK}. */
    public static FsPermission umask(FileSystem fs) {
        return FsPermission.getUMask(bounded(new Configuration(fs.getConf())));
    }

    /** {@link #replace(FileSystem, Path, Path, StreamWriter)} with a fresh temporary name. */
    public static void replace(FileSystem fs, Path target, StreamWriter writer) throws IOException {
        replace(fs, target, temporaryFor(target), writer);
    }

    /**
     * Writes {@code target} atomically: to {@code tmp}, synced to stable storage, then renamed over
     * any old file, so a reader, or a run restarted after a crash, sees the old content or the new,
     * never a part and never nothing. On local disks the rename is one {@code rename(2)}; on HDFS the
     * NameNode's atomic rename (see {@link AtomicFiles}). The temporary file is removed on failure.
     */
    public static void replace(FileSystem fs, Path target, Path tmp, StreamWriter writer) throws IOException {
        try {
            AtomicFiles.of(fs).replace(target, tmp, writer);
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // The write's own error is the one to report.
            }
            throw new IOException("Cannot write " + target + ": " + describe(e), e);
        }
    }
}
