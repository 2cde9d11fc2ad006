package io.tributary.tests;

import io.aeron.driver.MediaDriver;
import io.tributary.job.shared.AeronSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attack: a local user plants a symbolic link where this JVM's Aeron directory would be (the old
 * name was {@code tributary-aeron-PID} under a world-writable base such as /dev/shm), pointing at a
 * directory of the victim's. Starting Aeron's media driver must leave the link and its target alone
 * and use a fresh directory that only this user can enter.
 */
@Tag("security")
class AeronDirectoryTest {
    @TempDir
    Path tmp;

    @AfterAll
    static void forgetAeronSettings() {
        // This JVM's Aeron settings are process-wide; leave no trace for other tests of this fork.
        for (String key : new String[] {"aeron.dir", "aeron.dir.delete.on.start", "aeron.dir.delete.on.shutdown",
                "aeron.term.buffer.length"}) {
            System.clearProperty(key);
        }
    }

    @Test
    void aSymlinkPlantedAtThePredictableNameIsLeftAloneAndTheDriverUsesAFreshPrivateDirectory() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("shm"));
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        Path precious = Files.writeString(victim.resolve("thesis.tex"), "years of work");
        Path planted = Files.createSymbolicLink(base.resolve("tributary-aeron-" + ProcessHandle.current().pid()), victim);
        // Small terms so that the temporary directory has the room AeronSettings asks for.
        System.setProperty("aeron.term.buffer.length", "65536");

        String dir = AeronSettings.apply(base.toString());
        Path used;
        Path own;
        String ownMode;
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context())) {
            used = Path.of(driver.aeronDirectoryName());
            assertEquals(dir, used.toString());
            assertEquals(used.toRealPath(), used.toAbsolutePath().normalize(), "no link on the way to " + used);
            assertTrue(used.startsWith(base), used + " is under the configured base " + base);
            own = base.resolve(base.relativize(used).getName(0));
            assertTrue(Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS), own + " is a real directory");
            ownMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(own, LinkOption.NOFOLLOW_LINKS));
        }
        assertEquals("years of work", Files.readString(precious), "the victim's file is untouched");
        assertTrue(Files.isSymbolicLink(planted), "the planted link is still there");
        assertEquals(victim, Files.readSymbolicLink(planted));
        assertNotEquals(planted, own, "the predictable name is not used");
        assertEquals("rwx------", ownMode, own + " is private to this user");
    }
}
