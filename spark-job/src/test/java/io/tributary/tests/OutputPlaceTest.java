package io.tributary.tests;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.NetworkConfig;
import io.tributary.common.store.ModelStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outputs that are, hold or lie inside what the job reads, or a directory another job holds: refused
 * with exit 2 before anything moves, for {@code predict --overwrite} (which replaces its output whole),
 * {@code train --overwrite} and {@code convert}. Every case is refused before Spark starts, so nothing
 * is trained; the data, the model and the bystander files are checked byte for byte afterwards.
 */
@Tag("security")
class OutputPlaceTest {
    @TempDir
    Path tmp;
    private Path data;
    private Path runDir;
    private Path model;

    @BeforeEach
    void setUp() throws IOException {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 40, 20, 8, 3, false);
        Files.writeString(data.resolve("bystander.txt"), "keep me");
        runDir = tmp.resolve("runs/r1");
        Files.createDirectories(runDir);
        model = runDir.resolve(ModelStore.MODEL_FILE);
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelStore.write(NetworkConfig.of(ModelZoo.build(ModelZoo.MLP, new InputShape(1, 8, 8), 10,
                    1e-3, 1, List.of(16))).init(null), out);
        }
    }

    @Test
    void predictOverwritingItsOwnInputIsRefusedAndTheDataStays() throws Exception {
        Snapshot before = Snapshot.of(tmp);
        Cli.Run r = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", data.toString(), "--overwrite", "--master", "local[1]");
        assertRefused(r, "--output file:" + data, " is --data file:" + data);
        assertEquals(before, Snapshot.of(tmp));

        Cli.Run inside = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", data.resolve("predictions").toString(), "--master", "local[1]");
        assertRefused(inside, "lies inside --data");
        assertEquals(before, Snapshot.of(tmp));
    }

    @Test
    void predictOverwritingTheModelsRunDirectoryIsRefusedAndTheModelStays() throws Exception {
        Snapshot before = Snapshot.of(tmp);
        Cli.Run r = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", runDir.toString(), "--overwrite", "--master", "local[1]");
        assertRefused(r, "contains --model");
        Cli.Run parent = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", tmp.resolve("runs").toString(), "--overwrite", "--master", "local[1]");
        assertRefused(parent, "contains --model");
        assertEquals(before, Snapshot.of(tmp));
    }

    @Test
    void aDirectoryAnotherJobHoldsIsNotReplaced() throws Exception {
        Path running = tmp.resolve("runs/running");
        Files.createDirectories(running);
        Files.writeString(running.resolve("_lock"), "{\"host\":\"elsewhere\",\"pid\":1}");
        Files.writeString(running.resolve("metrics.json"), "{}");
        Snapshot before = Snapshot.of(tmp);
        Cli.Run onto = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", running.toString(), "--overwrite", "--master", "local[1]");
        assertRefused(onto, "which a running job holds (its _lock file)");
        Cli.Run inside = Cli.inProcess("predict", "--model", model.toString(), "--data", data.toString(),
                "--output", running.resolve("scores").toString(), "--master", "local[1]");
        assertRefused(inside, "lies inside the directory");
        assertEquals(before, Snapshot.of(tmp));
    }

    @Test
    void trainAndConvertKeepTheirOutputsApartFromTheirInputs() throws Exception {
        Snapshot before = Snapshot.of(tmp);
        Cli.Run train = Cli.inProcess("train", "--data", data.toString(), "--output", data.toString(), "--overwrite",
                "--master", "local[1]");
        assertRefused(train, " is --data ");
        Cli.Run fromModel = Cli.inProcess("train", "--data", data.toString(), "--model", model.toString(),
                "--output", runDir.toString(), "--overwrite", "--master", "local[1]");
        assertRefused(fromModel, "contains --model");
        Cli.Run convert = Cli.inProcess("convert", "--data", data.toString(), "--to", "parquet",
                "--output", data.resolve("parquet").toString(), "--master", "local[1]");
        assertRefused(convert, "lies inside --data");
        assertEquals(before, Snapshot.of(tmp));
    }

    @Test
    void keptColumnsClashingWithTheOutputsColumnsInAnyCaseAreRefused() throws IOException {
        Path csv = tmp.resolve("csv");
        Files.createDirectories(csv);
        StringBuilder rows = new StringBuilder("Prediction,label");
        for (int p = 0; p < 64; p++) rows.append(",p").append(p);
        rows.append('\n');
        for (int r = 0; r < 8; r++) {
            rows.append("x,").append(r % 10);
            for (int p = 0; p < 64; p++) rows.append(",0");
            rows.append('\n');
        }
        Files.writeString(csv.resolve("score.csv"), rows);
        Cli.Run r = Cli.inProcess("predict", "--model", model.toString(), "--data", csv.toString(), "--input-shape",
                "1,8,8", "--output", tmp.resolve("p").toString(), "--keep-cols", "Prediction", "--master", "local[1]");
        assertRefused(r, "--keep-cols Prediction would clash with the output's own column prediction");
        Cli.Run twice = Cli.inProcess("predict", "--model", model.toString(), "--data", csv.toString(), "--input-shape",
                "1,8,8", "--output", tmp.resolve("p").toString(), "--keep-cols", "label,LABEL", "--master", "local[1]");
        assertRefused(twice, "names a column twice");
    }

    @Test
    void aRegistryWhoseChampionOrHistoryIsTheJsonNullIsRefusedNamingTheFile() throws Exception {
        Path registry = tmp.resolve("registry");
        Files.createDirectories(registry);
        Files.writeString(registry.resolve("champion"), "null\n");
        Cli.Run r = Cli.inProcess("predict", "--registry", registry.toString(), "--data", data.toString(),
                "--output", tmp.resolve("p").toString(), "--master", "local[1]");
        assertRefused(r, "champion", "the JSON literal null, not a JSON object");

        Files.delete(registry.resolve("champion"));
        Files.createDirectories(registry.resolve("models/000001"));
        Files.copy(model, registry.resolve("models/000001/model.zip"));
        Files.writeString(registry.resolve("history.jsonl"), "null\n");
        Cli.Run list = Cli.inProcess("registry", "--registry", registry.toString(), "list");
        assertRefused(list, "history.jsonl", "the JSON literal null, not a JSON object");
    }

    private static void assertRefused(Cli.Run r, String... parts) {
        assertEquals(2, r.code(), r.all());
        for (String part : parts) assertTrue(r.err().contains(part), "\"" + part + "\" in:\n" + r.all());
        assertFalse(Cli.hasStackTrace(r.err()), r.all());
        assertFalse(r.all().contains("SparkContext: Running Spark"), "refused before Spark starts: " + r.all());
    }

    /** Every file under a directory with its bytes: what must not change. */
    private record Snapshot(List<String> files) {
        static Snapshot of(Path root) throws IOException {
            try (Stream<Path> walk = Files.walk(root)) {
                return new Snapshot(walk.filter(Files::isRegularFile).sorted().map(p -> {
                    try {
                        return root.relativize(p) + "=" + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                                .hashCode();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).toList());
            }
        }
    }
}
