package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class RunOutputTest {
    @TempDir
    Path tmp;

    private HadoopFs.Location at(Path p) {
        return HadoopFs.resolve("output", p.toString(), new Configuration());
    }

    private static String[] names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toArray(String[]::new);
        }
    }

    @Test
    void existingOutputIsRefusedUnlessOverwrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(out.resolve("model.zip"), "old");
        InputException e = assertThrows(InputException.class, () -> RunOutput.claim(at(out), false));
        assertTrue(e.getMessage().endsWith("run already exists; pass --overwrite to replace its model, or choose another --output"),
                e.getMessage());
        RunOutput o = RunOutput.claim(at(out), true);
        o.write("model.zip", s -> s.write("new".getBytes(StandardCharsets.UTF_8)));
        o.finish();
        assertEquals("new", Files.readString(out.resolve("model.zip")));
        assertArrayEquals(new String[] {"model.zip"}, names(out));
        assertEquals("rw-r-----", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("model.zip"))), "no access for others by default");
    }

    @Test
    void writesLeaveNoTemporariesAndAbortRemovesACreatedDirectory() throws IOException {
        Path out = tmp.resolve("fresh");
        RunOutput o = RunOutput.claim(at(out), false);
        assertTrue(Files.isDirectory(out));
        assertThrows(IOException.class, () -> o.write("model.zip", s -> {
            s.write(1);
            throw new IOException("disk full");
        }));
        o.abort();
        assertFalse(Files.exists(out), "a failed run must leave nothing behind");
    }

    @Test
    void abortKeepsPublishedFilesOfAnOverwrittenRun() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(out.resolve("model.zip"), "old");
        RunOutput o = RunOutput.claim(at(out), true);
        o.abort();
        assertEquals("old", Files.readString(out.resolve("model.zip")));
    }

    @Test
    void outputThatIsAFileIsRefused() throws IOException {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        assertTrue(assertThrows(InputException.class, () -> RunOutput.claim(at(f), true)).getMessage()
                .contains("exists and is a file"));
    }

    @Test
    void aLockedOutputIsRefusedUntilTheRunFinishes() throws IOException {
        Path out = tmp.resolve("locked");
        RunOutput first = RunOutput.claim(at(out), false);
        assertTrue(Files.exists(out.resolve(RunOutput.LOCK_FILE)));
        InputException e = assertThrows(InputException.class, () -> RunOutput.claim(at(out), true));
        assertTrue(e.getMessage().contains("locked is locked by another run (host ")
                && e.getMessage().contains(", pid " + ProcessHandle.current().pid() + ", user ")
                && e.getMessage().endsWith("if that run is dead, pass --force-unlock"), e.getMessage());
        first.write("model.zip", s -> s.write(1));
        first.finish();
        assertArrayEquals(new String[] {"model.zip"}, names(out), "the lock goes when the run finishes");
        RunOutput.claim(at(out), true).finish();
    }

    @Test
    void aStaleLockIsBrokenOnlyWhenAskedAndAbortReleasesIt() throws IOException {
        Path out = tmp.resolve("stale");
        RunOutput.claim(at(out), false);   // a run killed before it published anything: the lock stays
        assertThrows(InputException.class, () -> RunOutput.claim(at(out), false));
        assertThrows(InputException.class, () -> RunOutput.claim(at(out), true));
        RunOutput resumed = RunOutput.claim(at(out), false, true);
        resumed.abort();
        assertFalse(Files.exists(out.resolve(RunOutput.LOCK_FILE)), "abort releases the lock");
        RunOutput.claim(at(out), false, true).finish();
    }
}
