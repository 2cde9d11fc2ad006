package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The listing-based fingerprint: what changes it, what it leaves out, and how it bounds big listings. */
class DataFingerprintTest {
    private static Map<String, Object> of(Path dir) {
        return DataFingerprint.of(HadoopFs.resolve("data", dir.toString(), new Configuration()));
    }

    @Test
    void aChangedFileChangesItAndMarkersDoNot(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/part-0.parquet"), "abcd");
        Files.writeString(dir.resolve("part-1.parquet"), "efgh");
        Object before = of(dir).get("sha256");

        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".part-1.parquet.crc"), "x");
        Files.createDirectories(dir.resolve("_temporary/0"));
        Files.writeString(dir.resolve("_temporary/0/part-9.parquet"), "half-written");
        Map<String, Object> withMarkers = of(dir);
        assertEquals(before, withMarkers.get("sha256"), "markers, side files and _temporary are not data");
        assertEquals(2, withMarkers.get("file_count"));
        assertEquals(8L, ((Number) withMarkers.get("bytes")).longValue());

        // same length, new contents: the modification time moves
        Files.writeString(dir.resolve("a/part-0.parquet"), "abce");
        Files.setLastModifiedTime(dir.resolve("a/part-0.parquet"), FileTime.fromMillis(1_000_000));
        assertNotEquals(before, of(dir).get("sha256"));
    }

    @Test
    void aFolderOfManyFilesIsCountedWholeAndListedInPart(@TempDir Path dir) throws Exception {
        int n = DataFingerprint.LISTED_FILES + 5;
        for (int i = 0; i < n; i++) {
            Path cls = Files.createDirectories(dir.resolve("class" + (i % 3)));
            Files.writeString(cls.resolve(i + ".png"), "p" + i);
        }
        Map<String, Object> f = of(dir);
        assertEquals(n, f.get("file_count"));
        assertEquals(DataFingerprint.LISTED_FILES, ((List<?>) f.get("files")).size());
        assertTrue(String.valueOf(f.get("method")).contains("no checksums"), String.valueOf(f.get("method")));
        Object sha = f.get("sha256");
        Files.writeString(dir.resolve("class2/extra.png"), "new");
        assertNotEquals(sha, of(dir).get("sha256"), "a file beyond the listed ones still counts");
    }

    @Test
    void aMissingLocationIsNamed(@TempDir Path dir) {
        InputException e = assertThrows(InputException.class, () -> of(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith("Cannot list ") && e.getMessage().contains("nope"), e.getMessage());
    }
}
