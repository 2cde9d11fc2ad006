package io.tributary.common.io;

import io.tributary.common.InputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs started together on a local directory: however many try to take a lock at once, exactly one
 * gets it, whether they are threads, processes, or operators breaking a stale lock.
 */
@Tag("security")
class FsLockRaceTest {
    private static final int ROUNDS = 200;

    @TempDir
    Path tmp;

    private HadoopFs.Location at(Path p) {
        return HadoopFs.resolve("dir", p.toString(), new Configuration());
    }

    /** Runs {@code claimants} attempts at once per round; returns the rounds that did not have exactly one winner. */
    private List<String> race(int claimants, boolean force, Path base, boolean staleLockFirst) throws Exception {
        HadoopFs.Location root = at(base);
        ExecutorService pool = Executors.newFixedThreadPool(claimants);
        List<String> bad = new ArrayList<>();
        try {
            for (int r = 0; r < ROUNDS; r++) {
                HadoopFs.Location lock = root.child("r" + r).child("_lock");
                Files.createDirectories(base.resolve("r" + r));
                if (staleLockFirst) {
                    // A lock left by a killed run.
                    Files.writeString(base.resolve("r" + r).resolve("_lock"),
                            "{\"host\": \"gone\", \"pid\": 1, \"user\": \"x\", \"started\": \"2020-01-01T00:00:00Z\"}");
                }
                CyclicBarrier start = new CyclicBarrier(claimants);
                List<Future<FsLock>> attempts = new ArrayList<>();
                for (int c = 0; c < claimants; c++) {
                    String what = "round " + r;
                    Callable<FsLock> claim = () -> {
                        start.await();
                        try {
                            return FsLock.acquire(lock, what, force);
                        } catch (InputException e) {
                            return null;
                        }
                    };
                    attempts.add(pool.submit(claim));
                }
                int won = 0;
                for (Future<FsLock> f : attempts) {
                    if (f.get(60, TimeUnit.SECONDS) != null) won++;
                }
                if (won != 1) bad.add("round " + r + ": " + won + " winners");
                if (bad.size() >= 10) break;   // enough to show
            }
        } finally {
            pool.shutdownNow();
        }
        return bad;
    }

    @Test
    void exactlyOneOfManyThreadsTakesTheLock() throws Exception {
        List<String> bad = race(8, false, tmp.resolve("threads"), false);
        assertEquals(List.of(), bad, "rounds without exactly one winner, of " + ROUNDS);
    }

    @Test
    void exactlyOneOfTwoForcersBreaksAStaleLock() throws Exception {
        List<String> bad = race(2, true, tmp.resolve("forcers"), true);
        assertEquals(List.of(), bad, "rounds without exactly one winner, of " + ROUNDS);
    }

    @Test
    void exactlyOneOfManyForcersBreaksAStaleLock() throws Exception {
        List<String> bad = race(6, true, tmp.resolve("forcers6"), true);
        assertEquals(List.of(), bad, "rounds without exactly one winner, of " + ROUNDS);
    }

    @Test
    void exactlyOneOfSeveralProcessesTakesTheLock() throws Exception {
        int processes = 4;
        Path base = Files.createDirectories(tmp.resolve("processes"));
        List<Process> running = new ArrayList<>();
        List<File> outs = new ArrayList<>();
        List<File> errs = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            File out = tmp.resolve("claimant" + i + ".out").toFile();
            File err = tmp.resolve("claimant" + i + ".err").toFile();
            outs.add(out);
            errs.add(err);
            running.add(FsChild.start(List.of("-Xmx256m"), out, err, "claim", base.toString(),
                    String.valueOf(ROUNDS), "c" + i, String.valueOf(processes)));
        }
        for (int i = 0; i < processes; i++) {
            Process p = running.get(i);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                running.forEach(Process::destroyForcibly);
                fail("claimant " + i + " did not finish in 300 s");
            }
            assertEquals(0, p.exitValue(), Files.readString(errs.get(i).toPath()));
        }
        Map<Integer, Integer> winners = new HashMap<>();
        for (File out : outs) {
            List<String> lines = Files.readAllLines(out.toPath());
            assertEquals(ROUNDS, lines.size(), String.join("\n", lines));
            for (String line : lines) {
                String[] parts = line.split(" ");
                winners.merge(Integer.parseInt(parts[0]), parts[1].equals("won") ? 1 : 0, Integer::sum);
            }
        }
        List<String> bad = new ArrayList<>();
        winners.forEach((r, n) -> {
            if (n != 1) bad.add("round " + r + ": " + n + " winners");
        });
        assertEquals(List.of(), bad, "rounds without exactly one winner, of " + ROUNDS);
    }
}
