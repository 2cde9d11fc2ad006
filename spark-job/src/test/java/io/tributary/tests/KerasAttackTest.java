package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.model.KerasAttackFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile Keras files through the CLI, each {@code tributary} in a JVM of its own with a 512 MiB heap
 * (so a native crash ends that JVM, not the test): {@code train} and {@code retrain} given a model
 * whose last kernel is HDF5 external storage pointing at a secret refuse it with exit 2, write nothing
 * (no run, no registry, no {@code _lock}) and print nothing of the secret; {@code train} on a bias
 * declaring 2^32+128 floats ends in exit 2, not an abort in native code.
 */
@Tag("security")
class KerasAttackTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path secret;
    static Path model;

    @BeforeAll
    static void files() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 40, 20, 28, 3, true);
        secret = KerasAttackFiles.canary(tmp);
        model = KerasAttackFiles.externalStorage(tmp, secret);
    }

    private static Cli.Run refused(String... args) throws Exception {
        Cli.Run r = Cli.subprocess(tmp, List.of("-Xmx512m"), args);
        assertEquals(2, r.code(), r.all());
        assertFalse(r.all().contains("CANARY-SECRET"), "the secret is printed: " + r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        assertFalse(Cli.hasStackTrace(r.err()), r.all());
        return r;
    }

    @Test
    void trainRefusesAModelCopyingASecretAndWritesNothing() throws Exception {
        Path run = tmp.resolve("run");
        Cli.Run r = refused("train", "--data", data.toString(), "--output", run.toString(), "--master", "local[1]",
                "--model", model.toString());
        assertTrue(r.err().contains("external-storage.h5: " + KerasAttackFiles.KERNEL + " keeps its values in another"
                + " file (HDF5 external storage: " + secret + ")"), r.all());
        assertFalse(Files.exists(run), "nothing written");
    }

    @Test
    void retrainRefusesItAndLeavesTheRegistryAsItWas() throws Exception {
        Path fresh = tmp.resolve("registry");
        Cli.Run r = refused("retrain", "--registry", fresh.toString(), "--data", data.toString(), "--master",
                "local[1]", "--model", model.toString());
        assertTrue(r.err().contains("HDF5 external storage"), r.all());
        assertFalse(Files.exists(fresh), "no registry created");
        Path existing = Files.createDirectories(tmp.resolve("existing-registry"));
        refused("retrain", "--registry", existing.toString(), "--data", data.toString(), "--master", "local[1]",
                "--model", model.toString());
        try (Stream<Path> files = Files.list(existing)) {
            assertEquals(List.of(), files.toList(), "nothing written, no _lock left");
        }
    }

    @Test
    void aBiasDeclaring2To32Plus128FloatsEndsInExit2NotACrash() throws Exception {
        Path run = tmp.resolve("huge-bias-run");
        Cli.Run r = refused("train", "--data", data.toString(), "--output", run.toString(), "--master", "local[1]",
                "--model", KerasAttackFiles.hugeBias(tmp, (1L << 32) + 128).toString());
        assertTrue(r.err().contains("the weights of layer \"dense_1\" declare 4,294,968,704 values"), r.all());
        assertFalse(Files.exists(run), "nothing written");
    }
}
