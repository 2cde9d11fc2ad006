package io.tributary.common.io;

import io.tributary.common.InputException;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second JVM for tests that need one: a crash (which ends the process) or claimants that are
 * separate processes, as two runs started together are.
 *
 * <pre>
 * FsChild replace FILE TEXT          HadoopFs.replace(FILE, TEXT)
 * FsChild append-history REGISTRY    ModelRegistry.append(a line) on an existing registry
 * FsChild claim BASE ROUNDS ID N     for each round r: wait until N claimants are ready in BASE/r,
 *                                    then try to take BASE/r/_lock; prints "r won" or "r lost"
 * </pre>
 */
public final class FsChild {
    private FsChild() {
    }

    public static void main(String[] args) throws Exception {
        Configuration conf = new Configuration();
        switch (args[0]) {
            case "replace" -> {
                HadoopFs.Location file = HadoopFs.resolve("file", args[1], conf);
                byte[] bytes = args[2].getBytes(StandardCharsets.UTF_8);
                HadoopFs.replace(file.fs(), file.path(), out -> out.write(bytes));
            }
            case "append-history" -> ModelRegistry.open(HadoopFs.resolve("registry", args[1], conf), false)
                    .append(HistoryEntry.action(ModelRegistry.PROMOTE, 2, OptionalInt.empty(), "a test", "test"));
            case "claim" -> claim(HadoopFs.resolve("base", args[1], conf), Integer.parseInt(args[2]), args[3],
                    Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void claim(HadoopFs.Location base, int rounds, String id, int claimants) throws Exception {
        for (int r = 0; r < rounds; r++) {
            Path dir = Path.of(base.path().toUri().getPath(), String.valueOf(r));
            Files.createDirectories(dir);
            Files.createFile(dir.resolve("ready-" + id));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ready(dir) < claimants) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("round " + r + ": others never came");
                Thread.sleep(1);   // the other claimants need the two cores more than this loop
            }
            try {
                FsLock.acquire(base.child(String.valueOf(r)).child("_lock"), "round " + r, false);
                System.out.println(r + " won");   // never released: the others must all lose
            } catch (InputException e) {
                System.out.println(r + " lost");
            }
        }
    }

    private static long ready(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("ready-")).count();
        }
    }

    /** Starts this class in a new JVM with the test's class path. */
    public static Process start(List<String> jvmOptions, File stdout, File stderr, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).forEach(cmd::add);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FsChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout).redirectError(stderr).start();
    }
}
