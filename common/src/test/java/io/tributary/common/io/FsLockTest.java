package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class FsLockTest {
    @TempDir
    Path tmp;

    private HadoopFs.Location lockAt(Path p) {
        return HadoopFs.resolve("lock", p.toString(), new Configuration());
    }

    private static long files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void releaseLeavesALockThatAnotherHolderTookOver() throws Exception {
        Path file = tmp.resolve("_lock");
        FsLock first = FsLock.acquire(lockAt(file), "output x", false);
        // An operator believed the first run dead and broke its lock: the lock is now the second's.
        FsLock second = FsLock.acquire(lockAt(file), "output x", true);
        String secondContent = Files.readString(file);
        first.close();
        assertTrue(Files.exists(file), "the first holder's release removed the second holder's lock");
        assertEquals(secondContent, Files.readString(file));
        assertThrows(InputException.class, () -> FsLock.acquire(lockAt(file), "output x", false));
        second.close();
        assertFalse(Files.exists(file), "the holder's own release removes its lock");
        assertEquals(0, files(tmp), "nothing left behind");
    }

    @Test
    void aLockIsWholeWhenItAppearsAndNamesItsHolder() throws Exception {
        Path file = tmp.resolve("_lock");
        try (FsLock ignored = FsLock.acquire(lockAt(file), "registry r", false)) {
            String owner = FsLock.describeOwner(lockAt(file));
            assertTrue(owner.startsWith("host ") && owner.contains("pid " + ProcessHandle.current().pid()), owner);
            InputException e = assertThrows(InputException.class, () -> FsLock.acquire(lockAt(file), "registry r", false));
            assertTrue(e.getMessage().startsWith("Registry r is locked by another run (host "), e.getMessage());
        }
        assertEquals(0, files(tmp));
    }

    @Test
    void aStaleLockWithAHadoopChecksumIsBrokenCleanly() throws Exception {
        // A lock written through Hadoop's checksummed local filesystem by an older release, then left by a crash.
        HadoopFs.Location lock = lockAt(tmp.resolve("_lock"));
        HadoopFs.createSynced(lock.fs(), lock.path(), out -> out.write("{\"host\": \"gone\"}".getBytes()));
        assertTrue(FsLock.describeOwner(lock).startsWith("host gone"));
        try (FsLock ignored = FsLock.acquire(lock, "output x", true)) {
            String owner = FsLock.describeOwner(lock);
            assertTrue(owner.contains("pid " + ProcessHandle.current().pid()), owner);
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.filter(p -> !p.getFileName().toString().endsWith(".crc")).count());
        }
    }
}
