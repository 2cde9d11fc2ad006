package io.tributary.common.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A few MB of gzip whose headers claim 2,000,000 images (1.5 GB) read by a driver with a 512 MiB heap:
 * refused from the headers with exit 2 and a sentence naming the claim, never an OutOfMemoryError.
 * The reader runs in a JVM of its own so the heap is the one a small driver would have.
 */
class IdxDirectoryMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void headersClaimingMoreThanTheHeapAreRefusedBeforeReading() throws Exception {
        Path dir = IdxFixtures.writeBomb(tmp.resolve("bomb"), 2_000_000, 28);
        assertTrue(Files.size(dir.resolve("train-images-idx3-ubyte.gz")) < 8 << 20, "the bomb is small");

        Result r = readInOwnJvm(dir, "TRAIN", "-Xmx512m");

        assertEquals(2, r.code(), r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        // Logging set-up may add its own lines; the refusal is the one line the reader prints.
        List<String> refusals = r.err().lines().filter(l -> l.startsWith("tributary: ")).toList();
        assertEquals(1, refusals.size(), r.all());
        String msg = refusals.get(0);
        assertTrue(msg.contains("train-images-idx3-ubyte.gz"), msg);
        assertTrue(msg.contains("claim 2000000 examples"), msg);
        assertTrue(msg.contains("(1570000000 bytes"), msg);
        assertTrue(msg.contains("MiB of free heap"), msg);
        assertTrue(msg.contains("--train-examples"), msg);
        assertTrue(msg.contains("TRIBUTARY_DRIVER_MEMORY"), msg);
    }

    @Test
    void theSmallSplitBesideTheBombStillReads() throws Exception {
        Path dir = IdxFixtures.writeBomb(tmp.resolve("bomb"), 2_000_000, 28);
        Result r = readInOwnJvm(dir, "TEST", "-Xmx512m");
        assertEquals(0, r.code(), r.all());
        assertEquals("read 20 examples", r.out().strip());
    }

    record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Result readInOwnJvm(Path dir, String split, String heap) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).forEach(cmd::add);
        cmd.addAll(List.of(heap, "-cp", System.getProperty("java.class.path"), ReadSplitMain.class.getName(),
                dir.toString(), split));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(new File(out.toString()))
                .redirectError(new File(err.toString())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the reader did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
