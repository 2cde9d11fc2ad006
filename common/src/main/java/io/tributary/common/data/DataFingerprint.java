package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fingerprint of a dataset taken from its listing, without reading the data: every file's path,
 * length and modification time, and the filesystem's own checksum where it keeps one (HDFS: an MD5
 * of its block CRCs, computed by the datanodes). Files whose names start with {@code _} or {@code .}
 * (Spark's markers, checksum side files), and directories so named ({@code _temporary}), are left
 * out. Rewriting a file changes its length, its modification time (set by the filesystem when the
 * file is written) or its checksum, so retraining's "data unchanged" test needs no pass over the
 * data; only a rewrite of the same length whose modification time is then set back by hand
 * ({@code distcp -pt}, {@code touch -d}) goes unseen in a dataset too large for checksums.
 *
 * <p>A dataset of many small files (an image folder) costs one listing call per directory, not a
 * call per file: checksums are asked for (one request each) for datasets of at most
 * {@value #CHECKSUMMED_FILES} files, and {@code metadata.json} lists at most {@value #LISTED_FILES}
 * files by name; the digest always covers every file.
 */
public final class DataFingerprint {
    /** Datasets of at most this many files get the filesystem's checksum of each. */
    static final int CHECKSUMMED_FILES = 1_000;
    /** At most this many files are listed by name. */
    static final int LISTED_FILES = 1_000;

    private DataFingerprint() {
    }

    /** The fingerprint of everything under {@code location} (a file or a directory, recursively). */
    public static Map<String, Object> of(HadoopFs.Location location) {
        FileSystem fs = location.fs();
        List<FileStatus> files;
        try {
            files = HadoopFs.dataFiles(location);
        } catch (IOException e) {
            throw new InputException("Cannot list " + location + ": " + HadoopFs.describe(e));
        }
        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        boolean checksums = files.size() <= CHECKSUMMED_FILES;
        MessageDigest all = sha256();
        List<Map<String, Object>> entries = new ArrayList<>();
        long bytes = 0;
        String root = location.path().toString();
        for (FileStatus f : files) {
            String path = f.getPath().toString();
            String relative = path.startsWith(root) ? path.substring(Math.min(path.length(), root.length() + 1)) : path;
            String name = relative.isEmpty() ? f.getPath().getName() : relative;
            String checksum = checksums ? checksum(fs, f) : null;
            bytes += f.getLen();
            if (entries.size() < LISTED_FILES) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", name);
                e.put("bytes", f.getLen());
                e.put("modified", f.getModificationTime());
                if (checksum != null) e.put("checksum", checksum);
                entries.add(e);
            }
            all.update((name + "\0" + f.getLen() + "\0" + f.getModificationTime() + "\0"
                    + (checksum == null ? "" : checksum) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("location", location.toString());
        m.put("sha256", HexFormat.of().formatHex(all.digest()));
        m.put("method", checksums ? "listing: path, length, modification time, filesystem checksum where kept"
                : "listing: path, length, modification time (more than " + CHECKSUMMED_FILES + " files: no checksums)");
        m.put("file_count", files.size());
        m.put("bytes", bytes);
        m.put("files", entries);
        return m;
    }

    private static String checksum(FileSystem fs, FileStatus f) {
        try {
            FileChecksum c = fs.getFileChecksum(f.getPath());
            return c == null ? null : c.getAlgorithmName() + ":" + HexFormat.of().formatHex(c.getBytes());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
