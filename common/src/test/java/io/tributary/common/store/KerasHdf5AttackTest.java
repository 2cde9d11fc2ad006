package io.tributary.common.store;

import io.tributary.common.model.KerasAttackFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile Keras HDF5 files read the way {@code train --model} reads them ({@link ModelSource}), each
 * in a JVM of its own with a 512 MiB heap (so a native crash ends that JVM, not the test): external
 * storage and external links that would copy another file into the model, a soft link, a virtual
 * dataset, a filter other than deflate and shuffle, biases declaring 2^32+128 and 1.6e9 floats with
 * nothing stored, and a small model_config describing 1.6e9 parameters. Each is refused with exit 2
 * and one sentence naming the file, the object and the rule; nothing of the secret comes out.
 */
@Tag("security")
class KerasHdf5AttackTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }

        /** The refusal: the one line the reader prints for bad input. */
        String refusal() {
            List<String> lines = err.lines().filter(l -> l.startsWith("tributary: ")).toList();
            assertEquals(1, lines.size(), all());
            return lines.get(0);
        }
    }

    /** {@link ModelSourceMain} on {@code model} with a 512 MiB heap, writing what it loaded to {@code zip}. */
    private Run read(Path model, Path zip) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-")).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), ModelSourceMain.class.getName(),
                model.toString(), zip.toString()));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(new File(out.toString()))
                .redirectError(new File(err.toString())).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("reading " + model + " did not finish in 240 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Reads {@code model} and expects exit 2, one sentence holding the file's name and every one of {@code expected}. */
    private String refused(Path model, String... expected) throws Exception {
        Path zip = tmp.resolve(model.getFileName() + ".zip");
        Run r = read(model, zip);
        assertEquals(2, r.code(), r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        String refusal = r.refusal();
        assertTrue(refusal.contains(model.getFileName().toString()), refusal);
        for (String e : expected) {
            assertTrue(refusal.contains(e), "expected <" + e + "> in: " + refusal);
        }
        assertFalse(Files.exists(zip), "nothing loaded");
        return refusal;
    }

    @Test
    void externalStorageCopyingASecretIntoTheModelIsRefused() throws Exception {
        Path secret = KerasAttackFiles.canary(tmp);
        Path model = KerasAttackFiles.externalStorage(tmp, secret);
        Path zip = tmp.resolve("external-storage.zip");
        Run r = read(model, zip);
        assertFalse(Files.exists(zip) && holdsCanary(zip, secret), "the secret's bytes are in the loaded model");
        assertFalse(r.all().contains("CANARY-SECRET"), r.all());
        assertEquals(2, r.code(), r.all());
        String refusal = r.refusal();
        assertTrue(refusal.contains("external-storage.h5") && refusal.contains(KerasAttackFiles.KERNEL)
                && refusal.contains("external storage"), refusal);
    }

    @Test
    void anExternalLinkIsRefused() throws Exception {
        Path model = KerasAttackFiles.externalLink(tmp, KerasAttackFiles.canary(tmp));
        refused(model, "/model_weights/dense_1/dense_1", "kernel:0", "external link");
    }

    @Test
    void aSoftLinkIsRefused() throws Exception {
        refused(KerasAttackFiles.softLink(tmp), "kernel:0", "soft link");
    }

    @Test
    void aVirtualDatasetIsRefused() throws Exception {
        refused(KerasAttackFiles.virtualDataset(tmp, KerasAttackFiles.canary(tmp)), KerasAttackFiles.KERNEL, "virtual");
    }

    @Test
    void aFilterOtherThanDeflateAndShuffleIsRefused() throws Exception {
        refused(KerasAttackFiles.otherFilter(tmp), KerasAttackFiles.KERNEL, "Fletcher32", "deflate", "shuffle");
    }

    @Test
    void aBiasDeclaring2To32Plus128FloatsIsRefusedWithoutACrash() throws Exception {
        refused(KerasAttackFiles.hugeBias(tmp, (1L << 32) + 128), KerasAttackFiles.BIAS, "4,294,967,424", "\"dense_1\"");
    }

    @Test
    void aBiasDeclaring1point6e9FloatsIsRefusedBeforeAnythingIsAllocated() throws Exception {
        refused(KerasAttackFiles.hugeBias(tmp, 1_600_000_000L), KerasAttackFiles.BIAS, "1,600,000,000", "\"dense_1\"");
    }

    @Test
    void aSmallModelConfigDescribing1point6e9ParametersIsRefusedByMaxParameters() throws Exception {
        Path model = KerasAttackFiles.wideDense(tmp);
        assertTrue(Files.size(model) < 64 << 10, "a small file");
        refused(model, "1,600,440,010 parameters", "max-parameters 100,000,000");
    }

    /**
     * Whether {@code zip} holds the canary: at least half of its distinct 4-byte words (as stored or
     * byte-reversed) in any entry at any alignment. DL4J keeps a dense kernel in column-major order,
     * so the secret's words come out whole but not in the file's order.
     */
    private static boolean holdsCanary(Path zip, Path canary) throws IOException {
        byte[] secret = Files.readAllBytes(canary);
        Set<Integer> words = new HashSet<>();
        for (int i = 0; i + 4 <= secret.length; i += 4) {
            words.add(ByteBuffer.wrap(secret, i, 4).order(ByteOrder.BIG_ENDIAN).getInt());
            words.add(ByteBuffer.wrap(secret, i, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
        Set<Integer> found = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes());
                for (int i = 0; i + 4 <= bytes.limit(); i++) {
                    int word = bytes.getInt(i);
                    if (words.contains(word)) {
                        found.add(word);
                    }
                }
            }
        }
        return found.size() >= words.size() / 4;
    }
}
