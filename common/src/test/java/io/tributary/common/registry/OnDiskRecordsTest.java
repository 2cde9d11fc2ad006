package io.tributary.common.registry;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import io.tributary.common.run.RunMetadata;
import io.tributary.common.run.RunMetrics;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The records of the JSON files on disk read the files written before they had a schema version
 * (the lines below are in the format and field order the earlier code wrote), write them back with
 * the same field names (the notebooks, docs and scripts read those names), and refuse a file from a
 * newer schema naming the file, the version and the rule.
 */
class OnDiskRecordsTest {
    /** History lines as written before {@code schema_version}: a promotion, a skip, a failure and an operator's promotion. */
    private static final List<String> OLD_HISTORY = List.of(
            "{\"time\":\"2026-11-01T10:00:00Z\",\"event\":\"retrain\",\"data\":\"/d/day1\",\"data_sha256\":\"aaaa1111bbbb2222\","
                    + "\"holdout\":\"/d/day1 (test split)\",\"holdout_sha256\":\"cccc\",\"version\":1,\"name\":\"000001\","
                    + "\"champion_before\":null,\"train_test_accuracy\":0.81,\"examples_per_second\":1234.5,"
                    + "\"metric\":\"accuracy\",\"challenger\":0.8,\"champion\":null,\"min_improvement\":0.001,\"floor\":0.5,"
                    + "\"decision\":\"promoted\",\"reason\":\"first model: accuracy 0.8000\",\"champion_after\":1,"
                    + "\"pruned\":[],\"config\":{\"metric\":\"accuracy\",\"versions-kept\":5}}",
            "{\"time\":\"2026-11-02T10:00:00Z\",\"event\":\"retrain\",\"data\":\"/d/day1\",\"data_sha256\":\"aaaa1111bbbb2222\","
                    + "\"holdout\":\"/d/day1 (test split)\",\"holdout_sha256\":\"cccc\",\"decision\":\"skipped\","
                    + "\"reason\":\"data unchanged since version 000001\",\"champion_after\":1,\"config\":{}}",
            "{\"time\":\"2026-11-03T10:00:00Z\",\"event\":\"retrain\",\"data\":\"/d/day2\",\"data_sha256\":\"dddd\","
                    + "\"holdout\":\"/d/day2 (test split)\",\"holdout_sha256\":\"eeee\",\"version\":2,\"name\":\"000002\","
                    + "\"champion_before\":1,\"warm_start_from\":1,\"decision\":\"failed\",\"reason\":\"stalled\","
                    + "\"champion_after\":1,\"pruned\":[],\"config\":{}}",
            "{\"time\":\"2026-11-04T10:00:00Z\",\"event\":\"retrain\",\"data\":\"/d/day3\",\"data_sha256\":\"ffff\","
                    + "\"holdout\":\"/d/day3 (test split)\",\"holdout_sha256\":\"gggg\",\"version\":3,\"name\":\"000003\","
                    + "\"champion_before\":1,\"train_test_accuracy\":0.7,\"examples_per_second\":99.0,"
                    + "\"metric\":\"accuracy\",\"challenger\":0.7,\"champion\":0.8,\"min_improvement\":0.001,\"floor\":null,"
                    + "\"decision\":\"rejected\",\"reason\":\"short\",\"champion_after\":1,\"pruned\":[2],\"config\":{}}",
            "{\"time\":\"2026-11-05T10:00:00Z\",\"event\":\"promote\",\"version\":3,\"name\":\"000003\","
                    + "\"champion_before\":1,\"champion_after\":3,\"reason\":\"by an operator\",\"user\":\"ops\"}");

    @TempDir
    Path tmp;

    private ModelRegistry registry() throws Exception {
        ModelRegistry reg = ModelRegistry.open(HadoopFs.resolve("registry", tmp.toString(), new Configuration()), true);
        for (int v : List.of(1, 3)) {
            Path dir = Files.createDirectories(tmp.resolve(ModelRegistry.MODELS).resolve(ModelRegistry.name(v)));
            Files.writeString(dir.resolve(ModelStore.MODEL_FILE), "model");
        }
        return reg;
    }

    private static Map<String, Object> json(String text) throws Exception {
        return Json.readMap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** What a record writes, as a reader of the file sees it, less the schema version. */
    private static Map<String, Object> written(Map<String, Object> map) throws Exception {
        Map<String, Object> m = json(Json.write(map));
        assertEquals(1, m.remove(JsonFields.SCHEMA_VERSION), "each file names its schema version");
        return m;
    }

    private static void assertRefused(Runnable r, String... parts) {
        InputException e = assertThrows(InputException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }

    @Test
    void anOldHistoryReadsAndWritesBackWithTheSameFields() throws Exception {
        ModelRegistry reg = registry();
        Files.writeString(tmp.resolve(ModelRegistry.HISTORY), String.join("\n", OLD_HISTORY) + "\n");
        Files.writeString(tmp.resolve(ModelRegistry.CHAMPION), "{\"version\":3,\"name\":\"000003\",\"by\":\"promote\"}\n");
        List<HistoryEntry> history = reg.history();
        assertEquals(OLD_HISTORY.size(), history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(json(OLD_HISTORY.get(i)), written(history.get(i).toMap()), "line " + (i + 1));
        }
        HistoryEntry first = history.get(0);
        assertEquals("promoted", first.decision());
        assertEquals(0.8, first.retraining().score().challenger());
        assertNull(first.retraining().score().champion());
        assertEquals(1, history.get(2).retraining().warmStartFrom());
        assertEquals(List.of(2), history.get(3).retraining().pruned());
        assertNull(history.get(3).retraining().score().floor(), "no floor was set");
        assertEquals("ops", history.get(4).user());
        assertEquals(3, reg.lastTrained().version(), "the rejected version 3 is the last one trained");
        assertEquals(List.of(1, 3), reg.championStack());
        assertEquals(3, reg.champion().getAsInt(), "a pointer without a schema version reads");
        assertEquals(4, reg.nextVersion());
    }

    @Test
    void appendedLinesCarryTheSchemaVersionAndReadBack() throws Exception {
        ModelRegistry reg = registry();
        reg.setChampion(1, ModelRegistry.PROMOTE);
        reg.append(HistoryEntry.action(ModelRegistry.PROMOTE, 1, OptionalInt.empty(), "by an operator", "ops"));
        String line = Files.readString(tmp.resolve(ModelRegistry.HISTORY)).strip();
        Map<String, Object> m = json(line);
        assertEquals(1, m.get(JsonFields.SCHEMA_VERSION));
        assertTrue(m.containsKey("champion_before") && m.get("champion_before") == null, line);
        assertEquals(List.of("time", "schema_version", "event", "version", "name", "champion_before", "reason",
                "champion_after", "user"), List.copyOf(m.keySet()));
        assertEquals(1, json(Files.readString(tmp.resolve(ModelRegistry.CHAMPION))).get(JsonFields.SCHEMA_VERSION));
        assertEquals(List.of(1), reg.championStack());
    }

    @Test
    void aHistoryLineFromANewerSchemaIsRefusedNamingTheFileTheVersionAndTheRule() throws Exception {
        ModelRegistry reg = registry();
        Files.writeString(tmp.resolve(ModelRegistry.HISTORY), OLD_HISTORY.get(0) + "\n"
                + "{\"time\":\"2027-01-01T00:00:00Z\",\"schema_version\":2,\"event\":\"retrain\",\"version\":4}\n");
        assertRefused(reg::history, "Line 2 of", ModelRegistry.HISTORY, "schema_version 2",
                "reads schema_version 1 or older");
        Files.writeString(tmp.resolve(ModelRegistry.CHAMPION), "{\"schema_version\":7,\"version\":1}\n");
        assertRefused(reg::championPointer, "champion pointer", ModelRegistry.CHAMPION, "schema_version 7",
                "reads schema_version 1 or older");
        Files.writeString(tmp.resolve(ModelRegistry.CHAMPION), "{\"schema_version\":\"one\",\"version\":1}\n");
        assertRefused(reg::championPointer, ModelRegistry.CHAMPION, "\"one\"", "a whole number from 1");
    }

    @Test
    void anOldHoldoutComparisonReadsAndWritesBack() throws Exception {
        String old = "{\"holdout\":\"/d/day3 (test split)\",\"holdout_sha256\":\"gggg\","
                + "\"challenger\":{\"examples\":400,\"accuracy\":0.7,\"loss\":0.9},"
                + "\"champion\":{\"version\":1,\"examples\":400,\"accuracy\":0.8,\"loss\":0.6}}";
        Path dir = Files.createDirectories(tmp.resolve("v3"));
        Files.writeString(dir.resolve(HoldoutComparison.FILE), old);
        HoldoutComparison read = HoldoutComparison.read(HadoopFs.resolve("dir", dir.toString(), new Configuration()));
        assertEquals(1, read.championVersion());
        assertEquals(0.7, read.challenger().get("accuracy"));
        assertEquals(json(old), written(read.toMap()));
        Files.writeString(dir.resolve(HoldoutComparison.FILE), "{\"schema_version\":3,\"challenger\":{}}");
        assertRefused(() -> HoldoutComparison.read(HadoopFs.resolve("dir", dir.toString(), new Configuration())),
                dir.resolve(HoldoutComparison.FILE).toString(), "schema_version 3", "reads schema_version 1 or older");
    }

    @Test
    void oldRunMetricsAndMetadataReadAndWriteBackWithTheSameFields() throws Exception {
        String metrics = "{\"test_accuracy\":0.8663,\"train_loss\":0.46,\"examples_per_second\":3227.5,"
                + "\"train_seconds\":18.5,\"wall_seconds\":33.1,\"epochs\":[{\"epoch\":1,\"train_loss\":0.46,"
                + "\"train_accuracy\":null,\"test_loss\":0.36,\"test_accuracy\":0.8663,\"examples\":60000}],"
                + "\"test\":{\"examples\":3,\"accuracy\":0.66,\"per_class\":[{\"label\":0,\"f1\":0.5}]},"
                + "\"confusion_matrix\":[[1,0],[1,1]],\"seconds_to_first_step\":4.2,\"cached_batches_mb\":\"NaN\","
                + "\"driver\":{\"peak_rss_mb\":1076.4,\"peak_heap_mb\":716.8,\"max_heap_mb\":4096.0,"
                + "\"filesystem_bytes_read\":31234333},\"skipped_records\":0}";
        String metadata = "{\"created\":\"2026-11-01T10:00:00Z\",\"config\":{\"model\":\"seed-cnn\",\"epochs\":1},"
                + "\"model\":{\"name\":\"seed-cnn\",\"kind\":\"multi-layer network\",\"parameters\":693962,"
                + "\"input\":{\"rows\":28,\"cols\":28,\"channels\":1},\"classes\":2,\"class_names\":[\"cat\",\"dog\"],"
                + "\"format\":\"DL4J ModelSerializer zip with updater state\"},\"data\":{\"sha256\":\"aaaa\"},"
                + "\"spark\":{\"version\":\"3.5.1\"},\"nd4j_backend\":\"CpuBackend\",\"libraries\":{\"dl4j\":\"1.0.0-M2.1\"},"
                + "\"git_revision\":\"abc123\"}";
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(RunMetrics.FILE), metrics);
        Files.writeString(run.resolve(RunMetadata.FILE), metadata);
        HadoopFs.Location dir = HadoopFs.resolve("run", run.toString(), new Configuration());
        RunMetrics m = RunMetrics.read(dir);
        RunMetadata md = RunMetadata.read(dir);
        assertEquals(0.8663, m.testAccuracy());
        assertTrue(Double.isNaN(m.cachedBatchesMb()), "Jackson's NaN string reads as NaN");
        assertEquals(31234333L, m.driver().filesystemBytesRead());
        assertEquals(List.of("cat", "dog"), md.model().classNames());
        assertEquals(28, md.model().input().rows());
        assertEquals(json(metrics), written(m.toMap()));
        assertEquals(json(metadata), written(md.toMap()));

        // Older still: before the driver's footprint and the skipped records were recorded.
        Files.writeString(run.resolve(RunMetrics.FILE), "{\"test_accuracy\":0.5,\"epochs\":[]}");
        RunMetrics older = RunMetrics.read(dir);
        assertNull(older.driver());
        assertNull(older.skippedRecords());
        assertEquals(0.5, older.testAccuracy());
        assertNull(RunMetrics.read(HadoopFs.resolve("run", tmp.resolve("none").toString(), new Configuration())));
    }

    @Test
    void runFilesFromANewerSchemaOrWithAFieldOfTheWrongTypeAreRefusedNamingTheFile() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        HadoopFs.Location dir = HadoopFs.resolve("run", run.toString(), new Configuration());
        Files.writeString(run.resolve(RunMetrics.FILE), "{\"schema_version\":2,\"test_accuracy\":0.5}");
        assertRefused(() -> RunMetrics.read(dir), run.resolve(RunMetrics.FILE).toString(), "schema_version 2",
                "reads schema_version 1 or older", "a file without the field is version 1");
        Files.writeString(run.resolve(RunMetadata.FILE), "{\"schema_version\":5}");
        assertRefused(() -> RunMetadata.read(dir), run.resolve(RunMetadata.FILE).toString(), "schema_version 5");
        Files.writeString(run.resolve(RunMetadata.FILE), "{\"model\":{\"class_names\":[\"cat\",3]}}");
        assertRefused(() -> RunMetadata.read(dir), run.resolve(RunMetadata.FILE).toString(), "\"class_names\"",
                "an array of strings");
        Files.writeString(run.resolve(RunMetrics.FILE), "{\"test_accuracy\":\"high\"}");
        assertRefused(() -> RunMetrics.read(dir), "\"test_accuracy\"", "\"high\"", "not a number");
    }
}
