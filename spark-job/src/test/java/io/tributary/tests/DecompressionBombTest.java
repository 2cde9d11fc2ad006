package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tributary train} on a few MB of gzip whose headers claim 2,000,000 images (1.5 GB), with the
 * 512 MiB heap of a small driver: exit 2 with one sentence naming the claim, before Spark starts, and
 * never an OutOfMemoryError.
 */
@Tag("security")
class DecompressionBombTest {
    @TempDir
    Path tmp;

    @Test
    void trainingOnABombIsRefusedInBoundedMemory() throws Exception {
        Path data = IdxFixtures.writeBomb(tmp.resolve("bomb"), 2_000_000, 28);
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.subprocess(tmp, List.of("-Xmx512m"), "train", "--data", data.toString(),
                "--output", run.toString(), "--master", "local[1]", "--cache", "memory");
        assertEquals(2, r.code(), r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        assertTrue(r.err().contains("its headers claim 2000000 examples (1,502 MiB as batches), more than the"
                + " executors' free storage memory"), r.all());
        assertTrue(r.err().contains("--train-examples"), r.all());
        assertFalse(Files.exists(run.resolve("model.zip")), "no model is written");
    }

    @Test
    void aSingleHugeImageIsRefusedByMaxParametersBeforeSparkStarts() throws Exception {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("huge"), 1, 1, 8, 1, false);
        Files.write(d.resolve("train-images-idx3-ubyte"), IdxFixtures.images(1, 4096, 4096, new Random(1)));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), IdxFixtures.images(1, 4096, 4096, new Random(2)));
        Path run = tmp.resolve("huge-run");
        Cli.Run r = Cli.subprocess(tmp, List.of("-Xmx512m"), "train", "--data", d.toString(),
                "--output", run.toString(), "--master", "local[1]");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("more than max-parameters 100,000,000"), r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        assertFalse(r.all().contains("SparkContext: Running Spark"), "refused before Spark starts: " + r.all());
        assertFalse(Files.exists(run), "nothing written");
    }
}
