package io.tributary.job.score;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A prediction output's {@code _tributary/metadata.json} and {@code metrics.json} read back what
 * their records write, read the files of releases before the schema version (the text below is in
 * the format and field order they wrote), and refuse a newer schema or a missing field, naming the
 * file and the field.
 */
class PredictionRecordsTest {
    private static final String OLD_METADATA = "{\"created\":\"2026-11-01T10:00:00Z\",\"model\":{\"location\":"
            + "\"file:/reg/models/000001/model.zip\",\"sha256\":\"abcd\",\"registry\":\"file:/reg\",\"version\":1,"
            + "\"version_name\":\"000001\",\"kind\":\"multi-layer network\",\"class_names\":[\"cat\",\"dog\"]},"
            + "\"data\":{\"location\":\"file:/d\",\"sha256\":\"ffff\"},\"read\":{\"format\":\"auto\",\"split\":\"test\"},"
            + "\"output\":{\"format\":\"parquet\",\"columns\":[\"prediction\",\"probability\"],\"rows\":200,"
            + "\"batch_size\":500,\"seconds\":1.5}}";
    private static final String OLD_METRICS = "{\"examples\":200,\"seconds\":1.5,\"examples_per_second\":133.33333333333334,"
            + "\"labelled\":200,\"accuracy\":0.875}";

    @TempDir
    Path tmp;

    private HadoopFs.Location output(String metadata, String metrics) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out").resolve(PredictJob.RUN_FOLDER)).getParent();
        if (metadata != null) Files.writeString(dir.resolve(PredictionMetadata.FILE), metadata);
        if (metrics != null) Files.writeString(dir.resolve(PredictionMetrics.FILE), metrics);
        return HadoopFs.resolve("output", dir.toString(), new Configuration());
    }

    private static Map<String, Object> written(Map<String, Object> m) throws Exception {
        Map<String, Object> read = Json.readMap(Json.write(m).getBytes(StandardCharsets.UTF_8));
        assertEquals(1, read.remove(JsonFields.SCHEMA_VERSION), "each file names its schema version");
        return read;
    }

    private static Map<String, Object> json(String text) throws Exception {
        return Json.readMap(text.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRefused(String metadata, String metrics, String file, String... parts) throws Exception {
        HadoopFs.Location out = output(metadata, metrics);
        InputException e = assertThrows(InputException.class, () -> {
            if (metadata != null) PredictionMetadata.read(out);
            if (metrics != null) PredictionMetrics.read(out);
        });
        assertTrue(e.getMessage().contains(out.child(file).toString()), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }

    @Test
    void filesOfEarlierReleasesReadAndWriteBackTheirFields() throws Exception {
        HadoopFs.Location out = output(OLD_METADATA, OLD_METRICS);
        PredictionMetadata metadata = PredictionMetadata.read(out);
        PredictionMetrics metrics = PredictionMetrics.read(out);
        assertEquals(1, metadata.model().version());
        assertEquals(List.of("cat", "dog"), metadata.model().classNames());
        assertEquals(200, metadata.output().rows());
        assertEquals("test", metadata.read().get("split"));
        assertEquals(0.875, metrics.accuracy());
        assertEquals(json(OLD_METADATA), written(metadata.toMap()));
        assertEquals(json(OLD_METRICS), written(metrics.toMap()));
    }

    @Test
    void aModelFileRecordReadsBackWithoutARegistry() throws Exception {
        PredictionMetadata.Model model = new PredictionMetadata.Model("file:/run/model.zip", "beef", null, null,
                "computation graph", null);
        PredictionMetadata.Output written = new PredictionMetadata.Output("csv", List.of("id", "prediction"), 7, 64, 0.25);
        PredictionMetadata metadata = new PredictionMetadata("2026-12-01T00:00:00Z", model, Map.of("sha256", "01"),
                Map.of("split", "test"), written);
        HadoopFs.Location out = output(Json.write(metadata.toMap()), null);
        PredictionMetadata back = PredictionMetadata.read(out);
        assertEquals(metadata, back);
        assertTrue(!json(Json.write(metadata.toMap())).toString().contains("version_name"), "no registry, no version");
        assertNull(PredictionMetrics.read(out), "unlabelled data: no metrics file");
    }

    @Test
    void aNewerSchemaOrAMissingFieldIsRefusedNamingTheFileAndTheField() throws Exception {
        assertRefused(OLD_METADATA.replace("{\"created\"", "{\"schema_version\":2,\"created\""), null,
                PredictionMetadata.FILE, "schema_version 2", "reads schema_version 1 or older");
        assertRefused(null, "{\"schema_version\":3,\"examples\":1}", PredictionMetrics.FILE, "schema_version 3");
        assertRefused(null, OLD_METRICS.replace(",\"accuracy\":0.875", ""), PredictionMetrics.FILE,
                "no field \"accuracy\"");
        assertRefused(OLD_METADATA.replace("\"sha256\":\"abcd\",", ""), null, PredictionMetadata.FILE,
                "field \"model\"", "no field \"sha256\"");
        assertRefused(OLD_METADATA.replace("\"rows\":200,", ""), null, PredictionMetadata.FILE, "no field \"rows\"");
    }
}
