package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint's state reads back what it wrote, reads the state of earlier releases (no schema
 * version, {@code segments_done}, the engine's layout among the other fields), and refuses a state
 * from a newer schema or one that lacks what a resume needs, naming the file and the field.
 */
class CheckpointStateTest {
    private static final String WHERE = "/out/checkpoints/ckpt-0002-00003.json";
    /** A state as releases before the schema version wrote it, with DL4J's training master's layout. */
    private static final String OLD = "{\"created\":\"2026-10-01T10:00:00Z\",\"epoch\":2,\"segments_done\":3,"
            + "\"seen\":4800,\"loss_sum\":1.25,\"seconds\":12.5,\"batches_per_segment\":2,\"batches\":30,"
            + "\"iterations\":33,\"epochs\":[{\"epoch\":1,\"train_loss\":0.9,\"train_accuracy\":null,\"test_loss\":0.7,"
            + "\"test_accuracy\":0.75,\"examples\":9600,\"seconds\":20.0,\"examples_per_second\":480.0,"
            + "\"driver_rss_mb\":900.0,\"task_result_bytes\":1234}],\"config\":{\"epochs\":3,\"batch-size-per-worker\":32}}";

    private static CheckpointState read(String json) throws Exception {
        return CheckpointState.read(json.getBytes(StandardCharsets.UTF_8), WHERE);
    }

    private static Map<String, Object> json(String text) throws Exception {
        return Json.readMap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String json, String... parts) {
        InputException e = assertThrows(InputException.class, () -> read(json));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }

    @Test
    void aStateReadsBackWhatItWrote() throws Exception {
        RoundTimes rounds = new RoundTimes(3, 4, 8_339_064, 60, 12.5, 11.0, 10.5, 10.0, 0.75);
        EpochResult first = new EpochResult(1, 0.9, Double.NaN, 0.7, 0.75, 9600, 20.0, 900.0, 1234, rounds);
        Trainer.Position position = new Trainer.Position(2, 3, 4800, 1.25, 12.5, List.of(first));
        CheckpointState state = new CheckpointState("2026-12-01T10:00:00Z", position,
                Map.of("replicas", 4, "replica_examples", List.of(10, 11, 10, 11)), 33, Map.of("epochs", 3));
        Map<String, Object> written = json(Json.write(state.toMap()));
        assertEquals(CheckpointState.SCHEMA_VERSION, written.get(JsonFields.SCHEMA_VERSION));
        assertEquals(3, written.get("steps_done"));
        assertEquals(4, written.get("replicas"), "the engine's layout sits beside the position, as before");
        CheckpointState back = read(Json.write(state.toMap()));
        assertEquals(position.epoch(), back.position().epoch());
        assertEquals(position.stepsDone(), back.position().stepsDone());
        assertEquals(position.seen(), back.position().seen());
        assertEquals(position.lossSum(), back.position().lossSum());
        assertEquals(List.of(first).toString(), back.position().done().toString());
        assertEquals(rounds, back.position().done().get(0).rounds(), "the rounds' times read back");
        assertEquals(state.layout(), back.layout());
        assertEquals(33, back.iterations());
        assertEquals(state.config(), back.config());
    }

    @Test
    void aStateOfAnEarlierReleaseReadsWithItsLayoutAndWritesBackItsFields() throws Exception {
        CheckpointState old = read(OLD);
        assertEquals(2, old.position().epoch());
        assertEquals(3, old.position().stepsDone(), "segments_done is what steps_done was called");
        assertEquals(4800, old.position().seen());
        assertEquals(Map.of("batches_per_segment", 2, "batches", 30), old.layout());
        assertEquals(0.75, old.position().done().get(0).testAccuracy());
        assertNull(old.position().done().get(0).rounds(), "no rounds' times before they were measured");
        assertTrue(Double.isNaN(old.position().done().get(0).trainAccuracy()));
        assertEquals(3, old.config().get("epochs"));
        Map<String, Object> rewritten = json(Json.write(old.toMap()));
        rewritten.remove(JsonFields.SCHEMA_VERSION);
        Map<String, Object> expected = json(OLD);
        expected.put("steps_done", expected.remove("segments_done"));
        assertEquals(expected, rewritten);
    }

    @Test
    void aNewerOrIncompleteStateIsRefusedNamingTheFileAndTheField() {
        assertRefused(OLD.replace("{\"created\"", "{\"schema_version\":2,\"created\""), WHERE, "schema_version 2",
                "reads schema_version 1 or older");
        assertRefused(OLD.replace("\"seen\":4800,", ""), WHERE, "no field \"seen\"");
        assertRefused(OLD.replace("\"segments_done\":3,", ""), WHERE, "no field \"steps_done\"");
        assertRefused(OLD.replace(",\"config\":{\"epochs\":3,\"batch-size-per-worker\":32}", ""), WHERE,
                "no field \"config\"");
        assertRefused(OLD.replace("\"test_accuracy\":0.75,", ""), WHERE, "entry 1 of \"epochs\"",
                "no field \"test_accuracy\"");
        assertRefused(OLD.replace("\"seen\":4800", "\"seen\":\"many\""), WHERE, "\"seen\"", "not a whole number");
    }
}
