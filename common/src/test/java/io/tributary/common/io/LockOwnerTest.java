package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lock file's content is a {@link LockOwner}: what {@link FsLock} writes reads back, a lock of an
 * earlier release (no schema version, or the host alone) reads, and a lock from a newer schema or
 * with a field of the wrong type is refused naming the file and the field.
 */
class LockOwnerTest {
    @TempDir
    Path tmp;

    private static LockOwner read(String json, String where) throws Exception {
        return LockOwner.from(new JsonFields(Json.readMap(json.getBytes()), "Lock " + where));
    }

    @Test
    void aLockReadsBackAsItsOwner() throws Exception {
        Path file = tmp.resolve("_lock");
        try (FsLock ignored = FsLock.acquire(HadoopFs.resolve("lock", file.toString(), new Configuration()), "x", false)) {
            Map<String, Object> content = Json.readMap(Files.readAllBytes(file));
            assertEquals(LockOwner.SCHEMA_VERSION, content.get(JsonFields.SCHEMA_VERSION));
            LockOwner owner = read(Files.readString(file), file.toString());
            assertEquals(ProcessHandle.current().pid(), owner.pid());
            assertFalse(owner.forced());
            assertTrue(owner.startedWithin(60));
            assertEquals(content, Json.readMap(Json.write(owner.toMap()).getBytes()), "the same fields back");
        }
    }

    @Test
    void locksOfEarlierReleasesRead() throws Exception {
        LockOwner old = read("{\"host\":\"h1\",\"pid\":12,\"user\":\"u\",\"started\":\"2026-10-01T10:00:00Z\","
                + "\"forced\":true,\"token\":\"t\"}", "/o/_lock");
        assertEquals("host h1, pid 12, user u, since 2026-10-01T10:00:00Z", old.describe());
        assertTrue(old.forced());
        assertFalse(old.startedWithin(10), "taken long ago");
        LockOwner hostOnly = read("{\"host\":\"gone\"}", "/o/_lock");
        assertEquals("gone", hostOnly.host());
        assertNull(hostOnly.pid());
        assertFalse(hostOnly.forced());
    }

    @Test
    void aNewerOrMalformedLockIsRefusedNamingTheFileAndTheField() {
        InputException e = assertThrows(InputException.class,
                () -> read("{\"schema_version\":2,\"host\":\"h\"}", "/o/_lock"));
        assertTrue(e.getMessage().contains("Lock /o/_lock has schema_version 2"), e.getMessage());
        e = assertThrows(InputException.class, () -> read("{\"host\":\"h\",\"forced\":\"yes\"}", "/o/_lock"));
        assertTrue(e.getMessage().contains("/o/_lock") && e.getMessage().contains("\"forced\""), e.getMessage());
        e = assertThrows(InputException.class, () -> read("{\"host\":\"h\",\"pid\":\"12\"}", "/o/_lock"));
        assertTrue(e.getMessage().contains("\"pid\"") && e.getMessage().contains("a whole number"), e.getMessage());
    }
}
