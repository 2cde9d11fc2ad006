package io.tributary.common.io;

import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A process that dies while replacing a file (power cut, kill -9) at the moment the new content is
 * complete and about to take the old one's place: the old file must still be there, whole.
 */
class ReplaceCrashTest {
    @TempDir
    Path tmp;

    private HadoopFs.Location at(Path p) {
        return HadoopFs.resolve("file", p.toString(), new Configuration());
    }

    private static String read(HadoopFs.Location file) throws Exception {
        try (InputStream in = file.fs().open(file.path())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private int crashIn(String... args) throws Exception {
        File out = tmp.resolve("child.out").toFile();
        File err = tmp.resolve("child.err").toFile();
        Process p = FsChild.start(List.of("-Xmx256m", "-D" + CrashPoint.PROPERTY + "=" + HadoopFs.CRASH_BEFORE_RENAME),
                out, err, args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        assertTrue(Files.readString(err.toPath()).contains("crashing at " + HadoopFs.CRASH_BEFORE_RENAME),
                Files.readString(err.toPath()));
        return p.exitValue();
    }

    @Test
    void aCrashJustBeforeTheRenameKeepsTheOldFile() throws Exception {
        HadoopFs.Location file = at(tmp.resolve("champion"));
        // Written through Hadoop's checksummed local filesystem, as earlier releases did (it has a .crc).
        HadoopFs.createSynced(file.fs(), file.path(), out -> out.write("{\"version\": 1}\n".getBytes()));
        assertEquals(CrashPoint.STATUS, crashIn("replace", file.toString(), "{\"version\": 2}\n"));
        assertEquals("{\"version\": 1}\n", read(file), "the crash lost the old file");
        // The next replacement succeeds, and Hadoop reads it back (no stale checksum).
        HadoopFs.replace(file.fs(), file.path(), out -> out.write("{\"version\": 3}\n".getBytes()));
        assertEquals("{\"version\": 3}\n", read(file));
    }

    @Test
    void aCrashWhileAppendingToTheRegistryHistoryKeepsIt() throws Exception {
        ModelRegistry reg = ModelRegistry.open(at(tmp.resolve("registry")), true);
        reg.append(HistoryEntry.action(ModelRegistry.PROMOTE, 1, OptionalInt.empty(), "a test", "test"));
        String before = read(reg.location().child(ModelRegistry.HISTORY));
        assertEquals(CrashPoint.STATUS, crashIn("append-history", reg.location().toString()));
        assertEquals(before, read(reg.location().child(ModelRegistry.HISTORY)), "the crash lost the history");
        assertEquals(1, reg.history().size());
    }
}
