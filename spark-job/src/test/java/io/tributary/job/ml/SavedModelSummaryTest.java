package io.tributary.job.ml;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A saved Spark ML model's {@value SavedModelSummary#FILE} reads back what it wrote, reads the files
 * written before the schema version, and refuses a newer schema or a missing or bad
 * {@code num_classes} naming the file and the field.
 */
class SavedModelSummaryTest {
    @TempDir
    Path tmp;

    private HadoopFs.Location data(String content) throws Exception {
        Files.writeString(tmp.resolve(SavedModelSummary.FILE), content);
        return HadoopFs.resolve("data", tmp.toString(), new Configuration());
    }

    private void assertRefused(String content, String... parts) throws Exception {
        HadoopFs.Location data = data(content);
        InputException e = assertThrows(InputException.class, () -> SavedModelSummary.read(data));
        assertTrue(e.getMessage().contains(data.child(SavedModelSummary.FILE).toString()), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }

    @Test
    void aSummaryReadsBackAndOldFilesRead() throws Exception {
        SavedModelSummary summary = new SavedModelSummary(3, 0.75);
        assertEquals(summary, SavedModelSummary.read(data(Json.write(summary.toMap()))));
        assertEquals(1, Json.readMap(Json.write(summary.toMap()).getBytes()).get(JsonFields.SCHEMA_VERSION));
        SavedModelSummary old = SavedModelSummary.read(data("{\"num_classes\":10,\"held_out_accuracy\":0.9}"));
        assertEquals(new SavedModelSummary(10, 0.9), old);
        SavedModelSummary nothingHeldOut = SavedModelSummary.read(data("{\"num_classes\":2}"));
        assertTrue(Double.isNaN(nothingHeldOut.heldOutAccuracy()));
        assertEquals(false, nothingHeldOut.toMap().containsKey("held_out_accuracy"));
    }

    @Test
    void aNewerOrIncompleteSummaryIsRefusedNamingTheFileAndTheField() throws Exception {
        assertRefused("{\"schema_version\":2,\"num_classes\":10}", "schema_version 2", "reads schema_version 1 or older");
        assertRefused("{\"held_out_accuracy\":0.9}", "no field \"num_classes\"");
        assertRefused("{\"num_classes\":0}", "\"num_classes\" is 0", "a positive number");
        assertRefused("{\"num_classes\":\"ten\"}", "\"num_classes\"", "not a whole number");
        Files.delete(tmp.resolve(SavedModelSummary.FILE));
        InputException e = assertThrows(InputException.class,
                () -> SavedModelSummary.read(HadoopFs.resolve("data", tmp.toString(), new Configuration())));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
