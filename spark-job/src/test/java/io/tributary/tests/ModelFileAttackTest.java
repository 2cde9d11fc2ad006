package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.store.ModelZipFixtures;
import io.tributary.common.store.ReadObjectSpy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model files and checkpoints are data: a {@code model.zip} or checkpoint carrying anything
 * Tributary does not write (a Java-serialized {@code preprocessor.bin}, a path-like entry name, an
 * oversized entry) is refused with exit 2 naming the entry, before anything in it is deserialized
 * and before Spark starts or anything is trained.
 */
@Tag("security")
class ModelFileAttackTest {
    private static final int SIDE = 12;

    @TempDir
    static Path tmp;
    static Path data;
    static byte[] model;

    @BeforeAll
    static void fixtures() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 60, 20, SIDE, 3, true);
        model = ModelZipFixtures.saved(ModelZipFixtures.seedCnn(SIDE, 10));
    }

    private static Cli.Run evaluate(String name, byte[] zip) throws Exception {
        Path file = Files.write(tmp.resolve(name), zip);
        return Cli.inProcess("evaluate", "--model", file.toString(), "--data", data.toString(), "--master", "local[1]");
    }

    private static void assertRefused(Cli.Run r, String file, String entry) {
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains(file) && r.err().contains("\"" + entry + "\""), "names file and entry:\n" + r.all());
        assertFalse(Cli.hasStackTrace(r.err()), "one sentence, no stack trace:\n" + r.all());
    }

    @Test
    void aPlantedPreprocessorIsNeverDeserialized() throws Exception {
        Path marker = tmp.resolve("spy-ran");
        Cli.Run r = evaluate("spy.zip", ModelZipFixtures.withEntry(model, "preprocessor.bin",
                ModelZipFixtures.serialized(new ReadObjectSpy(marker))));
        assertRefused(r, "spy.zip", "preprocessor.bin");
        assertFalse(Files.exists(marker), "readObject of the planted object ran:\n" + r.all());
    }

    @Test
    void aPlantedObjectOfAnUnknownClassIsRefusedUnread() throws Exception {
        Cli.Run r = evaluate("unknown-class.zip", ModelZipFixtures.withEntry(model, "preprocessor.bin",
                ModelZipFixtures.serializedMissingClass(tmp.resolve("never"))));
        assertRefused(r, "unknown-class.zip", "preprocessor.bin");
        assertFalse(r.err().contains("MissingClass1"), "the stream was read far enough to name its class:\n" + r.all());
    }

    @Test
    void aPathLikeEntryNameIsRefused() throws Exception {
        Cli.Run r = evaluate("slip.zip", ModelZipFixtures.withEntry(model, "../../evil.sh", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8)));
        assertRefused(r, "slip.zip", "../../evil.sh");
    }

    @Test
    void anOversizedEntryIsRefused() throws Exception {
        // Valid JSON followed by 17 MiB of spaces: a few KB compressed, past the 16 MiB bound once inflated.
        byte[] padding = new byte[17 << 20];
        Arrays.fill(padding, (byte) ' ');
        Cli.Run r = evaluate("big.zip", ModelZipFixtures.editing(model, "configuration.json", json -> {
            byte[] out = Arrays.copyOf(json, json.length + padding.length);
            System.arraycopy(padding, 0, out, json.length, padding.length);
            return out;
        }));
        assertRefused(r, "big.zip", "configuration.json");
        assertTrue(r.err().contains("larger than"), r.all());
    }

    @Test
    void aCheckpointWithARecomputedChecksumButAForeignEntryIsNotResumed() throws Exception {
        Path out = tmp.resolve("run");
        Cli.Run trained = Cli.inProcess("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[1]", "--epochs", "2", "--batch-size-per-worker", "20");
        assertEquals(0, trained.code(), trained.all());
        Files.delete(out.resolve("model.zip"));   // as if the run had died before publishing

        Path dir = out.resolve("checkpoints");
        String newest;
        try (Stream<Path> s = Files.list(dir)) {
            newest = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sha256")).sorted()
                    .reduce((a, b) -> b).orElseThrow().replace(".sha256", "");
        }
        Path marker = tmp.resolve("checkpoint-spy-ran");
        Path zip = dir.resolve(newest + ".zip");
        Files.write(zip, ModelZipFixtures.withEntry(Files.readAllBytes(zip), "preprocessor.bin",
                ModelZipFixtures.serialized(new ReadObjectSpy(marker))));
        byte[] json = Files.readAllBytes(dir.resolve(newest + ".json"));
        Files.writeString(dir.resolve(newest + ".sha256"), sha256(Files.readAllBytes(zip)) + "  " + newest + ".zip\n"
                + sha256(json) + "  " + newest + ".json\n");
        // Hadoop's local filesystem keeps CRC sidecars; whoever can rewrite a file can delete them too.
        Files.deleteIfExists(dir.resolve("." + newest + ".zip.crc"));
        Files.deleteIfExists(dir.resolve("." + newest + ".sha256.crc"));
        Map<String, byte[]> before = contents(dir);

        Cli.Run r = Cli.inProcess("train", "--resume", out.toString());
        assertRefused(r, newest + ".zip", "preprocessor.bin");
        assertFalse(Files.exists(marker), "readObject of the planted object ran:\n" + r.all());
        assertFalse(r.err().contains("resuming from checkpoint"), "an older checkpoint was used instead:\n" + r.all());
        assertFalse(Files.exists(out.resolve("model.zip")), "nothing was trained");
        Map<String, byte[]> after = contents(dir);
        assertEquals(before.keySet(), after.keySet(), "no checkpoint written or deleted");
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    }

    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
