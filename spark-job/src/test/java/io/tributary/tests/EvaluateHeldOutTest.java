package io.tributary.tests;

import io.tributary.common.config.InputShape;
import io.tributary.common.io.Json;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.NetworkConfig;
import io.tributary.common.store.ModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tributary evaluate} on held-out data that lacks one of the model's classes: it is evaluated
 * with the model's class names and indices (from its metadata), and a class the model has never seen
 * is exit 2 in one sentence.
 */
class EvaluateHeldOutTest {
    @TempDir
    static Path tmp;
    static Path model;

    /** A three-class model of two features (cat, dog, fox), saved with its run's class names. */
    @BeforeAll
    static void saveModel() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        model = run.resolve("model.zip");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelStore.write(NetworkConfig.of(ModelZoo.build(ModelZoo.MLP, new InputShape(1, 1, 2), 3, 1e-3, 1,
                    List.of(4))).init(null), out);
        }
        Files.writeString(run.resolve("metadata.json"), "{\"model\": {\"class_names\": [\"cat\", \"dog\", \"fox\"]}}");
    }

    private static Path csv(String name, String content) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("part-0.csv"), content);
        return dir;
    }

    /** Runs the CLI, returning its exit status and what it printed on stdout, then stderr. */
    private static String[] evaluate(Path data) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointResumeTest.Run r;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            r = CheckpointResumeTest.cli("evaluate", "--model", model.toString(), "--data", data.toString(),
                    "--input-shape", "1,1,2", "--master", "local[1]");
        } finally {
            System.setOut(original);
        }
        return new String[] {String.valueOf(r.code()), out.toString(StandardCharsets.UTF_8), r.err()};
    }

    @Test
    void heldOutDataWithoutOneOfTheModelsClassesIsEvaluatedWithTheModelsIndices() throws Exception {
        Path data = csv("no-dog", "label,a,b\ncat,0.1,0.2\nfox,0.3,0.1\ncat,0.5,0.5\nfox,0.9,0.2\nfox,0.4,0.4\n");

        String[] r = evaluate(data);

        assertEquals("0", r[0], r[2]);
        Map<String, Object> report = Json.readMap(r[1].strip().getBytes(StandardCharsets.UTF_8));
        List<?> perClass = (List<?>) report.get("per_class");
        assertEquals(3, perClass.size(), "the model's three classes: " + report);
        List<Object> support = perClass.stream().map(c -> ((Number) ((Map<?, ?>) c).get("support")).intValue())
                .map(Object.class::cast).toList();
        assertEquals(List.of(2, 0, 3), support, "cat is 0 and fox is 2, as the model has them");
    }

    @Test
    void aClassTheModelHasNeverSeenIsRefusedNamingTheFileAndLabel() throws Exception {
        Path data = csv("owl", "label,a,b\ncat,0.1,0.2\nowl,0.3,0.1\n");

        String[] r = evaluate(data);

        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(": label \"owl\" (") && r[2].contains("part-0.csv line 3)"), r[2]);
        assertTrue(r[2].contains(" is a class the model has never seen; held-out labels must be among the training"
                + " data's 3 classes ([cat, dog, fox])"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), "one sentence: " + r[2]);
    }
}
