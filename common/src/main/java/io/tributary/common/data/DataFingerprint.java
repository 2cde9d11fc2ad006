package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

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
 * (Spark's markers, checksum side files) are left out. Any change to a file's bytes changes its
 * length, time or checksum, so retraining's "data unchanged" test is sound without a pass over the data.
 */
public final class DataFingerprint {
    private DataFingerprint() {
    }

    /** The fingerprint of everything under {@code location} (a file or a directory, recursively). */
    public static Map<String, Object> of(HadoopFs.Location location) {
        FileSystem fs = location.fs();
        List<FileStatus> files = new ArrayList<>();
        try {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(location.path(), true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String name = f.getPath().getName();
                if (!name.startsWith("_") && !name.startsWith(".")) {
                    files.add(f);
                }
            }
        } catch (IOException e) {
            throw new InputException("Cannot list " + location + ": " + HadoopFs.describe(e));
        }
        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        MessageDigest all = sha256();
        List<Map<String, Object>> entries = new ArrayList<>();
        String root = location.path().toString();
        for (FileStatus f : files) {
            String path = f.getPath().toString();
            String relative = path.startsWith(root) ? path.substring(Math.min(path.length(), root.length() + 1)) : path;
            String checksum = checksum(fs, f);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", relative.isEmpty() ? f.getPath().getName() : relative);
            e.put("bytes", f.getLen());
            e.put("modified", f.getModificationTime());
            if (checksum != null) e.put("checksum", checksum);
            entries.add(e);
            all.update((e.get("name") + "\0" + f.getLen() + "\0" + f.getModificationTime() + "\0"
                    + (checksum == null ? "" : checksum) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("location", location.toString());
        m.put("sha256", HexFormat.of().formatHex(all.digest()));
        m.put("method", "listing: path, length, modification time, filesystem checksum where kept");
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
