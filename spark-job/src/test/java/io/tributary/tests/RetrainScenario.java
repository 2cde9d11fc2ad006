package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A registry's life through {@code tributary retrain} and {@code tributary registry}, on any Hadoop
 * filesystem: a first model below the floor, the no-op on unchanged data, the first model promoted,
 * a crash between writing a model and moving the pointer, a rejection, a warm-started promotion with
 * pruning, a retraining refused by the lock, rollbacks and a promotion by an operator. Every step
 * checks the pointer, the versions and the history through the registry's own reader.
 */
final class RetrainScenario {
    private final String registry;
    private final Path work;
    private final ModelRegistry reg;
    private final Path holdout;

    /**
     * @param registry the registry's URI (file:// or hdfs://)
     * @param work     a local directory for the generated data and logs
     */
    RetrainScenario(String registry, Path work) throws Exception {
        this.registry = registry;
        this.work = work;
        this.reg = ModelRegistry.open(HadoopFs.resolve("registry", registry, new Configuration()), true);
        this.holdout = IdxFixtures.writeLearnable(work.resolve("holdout"), 10, 400, 28, 99, false);
    }

    private Path day(int n) throws Exception {
        return IdxFixtures.writeLearnable(work.resolve("day" + n), 800, 100, 28, n, false);
    }

    private String[] retrain(Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("retrain", "--registry", registry, "--data", data.toString(),
                "--holdout", holdout.toString(), "--master", "local[2]", "--batch-size-per-worker", "32",
                "--averaging-frequency", "2", "--train-eval-examples", "200"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    private Map<String, Object> lastLine() {
        List<HistoryEntry> h = reg.history();
        return h.get(h.size() - 1).toMap();
    }

    private int champion() {
        OptionalInt c = reg.champion();
        assertTrue(c.isPresent(), "no champion");
        return c.getAsInt();
    }

    void run() throws Exception {
        Path day1 = day(1);
        // A first model that is near chance (learning rate 1e-6) and below the floor: recorded, not promoted.
        Cli.Run r = Cli.inProcess(retrain(day1, "--learning-rate", "0.000001", "--floor", "0.9"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("version 000001 rejected") && r.out().contains("below the floor 0.9000"), r.all());
        assertTrue(reg.champion().isEmpty());
        assertTrue(reg.complete(1));
        assertEquals("rejected", lastLine().get("decision"));

        // Unchanged data: a no-op, recorded.
        r = Cli.inProcess(retrain(day1));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("skipped: data unchanged since version 000001"), r.all());
        assertEquals(List.of(1), reg.versions());
        assertEquals("skipped", lastLine().get("decision"));
        assertEquals(2, reg.history().size());

        // --force retrains the same data: the first model to pass (no floor) is promoted.
        r = Cli.inProcess(retrain(day1, "--force", "--learning-rate", "0.000001"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("version 000002 promoted: first model"), r.all());
        assertEquals(2, champion());
        double weak = ((Number) lastLine().get("challenger")).doubleValue();

        // A crash after the new version is complete, before the pointer moves: the old champion stays.
        Path day2 = day(2);
        r = Cli.subprocess(work, List.of("-Dtributary.crash-at=before-champion-pointer"), retrain(day2));
        assertEquals(86, r.code(), r.all());
        assertTrue(r.err().contains("crashing at before-champion-pointer"), r.all());
        assertTrue(reg.complete(3), "the crashed run's version is complete");
        assertEquals(2, champion(), "the pointer did not move");
        assertEquals(3, reg.history().size(), "no history line for the crashed run");
        // Its lock stays behind (a crash runs no clean-up): the next run is refused until it is broken.
        r = Cli.inProcess(retrain(day2));
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("is locked by another run") && r.err().contains("--force-unlock"), r.all());

        // The challenger must beat the champion by 1.0: rejected. Versions are never reused (4, not 3).
        r = Cli.inProcess(retrain(day2, "--force-unlock", "--min-improvement", "1.0"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("version 000004 rejected") && r.out().contains("is short of the required 1.0000"),
                r.all());
        assertEquals(2, champion());
        Map<String, Object> rejected = lastLine();
        assertEquals(2, ((Number) rejected.get("champion_before")).intValue());
        assertEquals(weak, ((Number) rejected.get("champion")).doubleValue(), 1e-9,
                "the champion is evaluated on the same holdout each time");

        // Warm-started from the champion, on new data: clearly better, promoted; pruning keeps the newest 2
        // and every champion, so the rejected version 1 and the crashed version 3 go.
        Path day3 = day(3);
        r = Cli.inProcess(retrain(day3, "--warm-start", "--versions-kept", "2"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("version 000005 promoted: accuracy"), r.all());
        assertEquals(5, champion());
        Map<String, Object> promoted = lastLine();
        assertEquals(2, ((Number) promoted.get("warm_start_from")).intValue());
        assertTrue(((Number) promoted.get("challenger")).doubleValue() > weak + 0.002, promoted.toString());
        assertEquals(List.of(1, 3), promoted.get("pruned"));
        assertEquals(List.of(2, 4, 5), reg.versions());
        Map<String, Object> holdoutJson;
        try (InputStream in = reg.location().fs().open(reg.versionDir(5).child("holdout.json").path())) {
            holdoutJson = Json.readMap(in.readAllBytes());
        }
        assertEquals(400, ((Number) ((Map<?, ?>) holdoutJson.get("challenger")).get("examples")).intValue());
        assertEquals(2, ((Number) ((Map<?, ?>) holdoutJson.get("champion")).get("version")).intValue());
        assertTrue(reg.location().fs().exists(reg.versionDir(5).child("report.html").path()));

        // A retraining while another holds the lock is refused, naming the holder; nothing changes.
        int lines = reg.history().size();
        try (FsLock held = reg.lock(false)) {
            r = Cli.inProcess(retrain(day(4)));
        }
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("is locked by another run (host"), r.all());
        assertEquals(List.of(2, 4, 5), reg.versions());
        assertEquals(lines, reg.history().size());

        // Operators: list, show, rollback twice (the second has nothing left), promote a rejected version.
        r = Cli.inProcess("registry", "--registry", registry, "list");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("*") && l.contains("000005") && l.contains("promoted")),
                r.out());
        r = Cli.inProcess("registry", "--registry", registry, "show", "5");
        assertEquals(0, r.code(), r.all());
        Map<String, Object> shown = Json.readMap(r.out().getBytes(StandardCharsets.UTF_8));
        assertEquals(Boolean.TRUE, shown.get("champion"));
        r = Cli.inProcess("registry", "--registry", registry, "rollback");
        assertEquals(0, r.code(), r.all());
        assertEquals(2, champion());
        assertEquals("rollback", lastLine().get("event"));
        r = Cli.inProcess("registry", "--registry", registry, "rollback");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("no earlier champion than 000002"), r.all());
        r = Cli.inProcess("registry", "--registry", registry, "promote", "000004");
        assertEquals(0, r.code(), r.all());
        assertEquals(4, champion());
        assertEquals("promote", lastLine().get("event"));
        r = Cli.inProcess("registry", "--registry", registry, "promote", "9");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("Version 000009 cannot become champion") && r.err().contains("no such version"),
                r.all());
        assertEquals(4, champion());
    }
}
