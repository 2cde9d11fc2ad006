package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link RetrainScenario} on the local filesystem (LocalClusterIT runs it on HDFS), and a failed retraining. */
@Tag("heavy")
class RetrainTest {
    @TempDir
    Path tmp;

    @Test
    void aRegistrysLifeOnTheLocalFilesystem() throws Exception {
        new RetrainScenario("file://" + tmp.resolve("registry"), tmp).run();
    }

    @Test
    void aRetrainingThatFailsExitsThreeRecordsItAndLeavesNoChampionOrLock() throws Exception {
        Path data = IdxFixtures.writeLearnable(tmp.resolve("data"), 400, 100, 28, 7, false);
        String registry = "file://" + tmp.resolve("failing");
        // Shared-gradient training's first step (the mesh forming) outlives a 1 s stall timeout: a runtime failure.
        Cli.Run r = Cli.subprocess(tmp, List.of(), "retrain", "--registry", registry, "--data", data.toString(),
                "--master", "local[2]", "--sync", "shared-gradients", "--stall-timeout-seconds", "1");
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("Retraining version 000001 failed") && r.err().contains("stall-timeout-seconds"),
                r.all());
        ModelRegistry reg = ModelRegistry.open(HadoopFs.resolve("registry", registry, new Configuration()), false);
        assertTrue(reg.champion().isEmpty());
        List<Map<String, Object>> history = reg.history().stream().map(HistoryEntry::toMap).toList();
        assertEquals(1, history.size());
        assertEquals("failed", history.get(0).get("decision"));
        assertEquals(1, ((Number) history.get(0).get("version")).intValue());
        assertFalse(Files.exists(tmp.resolve("failing").resolve(ModelRegistry.LOCK)), "the lock is released");
        assertFalse(reg.complete(1));
        assertEquals(2, reg.nextVersion(), "a failed version's number is not reused");
    }
}
