package io.tributary.tests;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fuzz tier: per input format, seeded mutations of a valid file through the reader the CLI uses,
 * in a JVM of its own with a 512 MiB heap ({@link ReaderFuzz}); every case must end in success or a
 * one-sentence input error, never an OutOfMemoryError, a native crash, another exception or a run
 * past its bound. CI runs {@value #DEFAULT_CASES} cases a format; the full count is
 * {@code mvn -B -pl common,spark-job -am -Psecurity -Dtest=ReaderFuzzTest -Dtributary.fuzz.cases=300
 * -Dsurefire.failIfNoSpecifiedTests=false test}, with {@code -Dtributary.fuzz.seed=S} for another series
 * and {@code -Dtributary.fuzz.formats=csv,parquet} for some formats only.
 * A failure prints its case's seed and mutation.
 */
@Tag("security")
class ReaderFuzzTest {
    static final int DEFAULT_CASES = 24;
    static final long DEFAULT_SEED = 20_261_206L;

    @TempDir
    Path tmp;

    /** The formats fuzzed: all of them, or those {@code -Dtributary.fuzz.formats=csv,parquet} names. */
    static List<String> formats() {
        String chosen = System.getProperty("tributary.fuzz.formats");
        return chosen == null ? ReaderFuzz.FORMATS : List.of(chosen.split(","));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void mutatedFilesEndInDataOrAnInputError(String format) throws Exception {
        int cases = Integer.getInteger("tributary.fuzz.cases", DEFAULT_CASES);
        long seed = Long.getLong("tributary.fuzz.seed", DEFAULT_SEED);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules")).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxbytes=512m", "-cp",
                System.getProperty("java.class.path"), ReaderFuzz.class.getName(), format, String.valueOf(cases),
                String.valueOf(seed), tmp.toString()));
        Path log = tmp.resolve("fuzz.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long bound = (long) cases * ReaderFuzz.CASE_SECONDS + 180;
        if (!p.waitFor(bound, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(format + ": no end in " + bound + " s; last lines:\n" + tail(log));
        }
        List<String> lines = Files.readAllLines(log);
        String summary = lines.stream().filter(l -> l.startsWith("summary ")).findFirst().orElse(null);
        if (summary == null) {
            fail(format + ": the fuzzing JVM died (exit " + p.exitValue() + ") at the case below; rerun it with"
                    + " -Dtributary.fuzz.seed=" + seed + ":\n" + tail(log));
        }
        System.out.println(summary);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("-> FAIL") || lines.get(i).startsWith("FAIL")) {
                failures.add((i > 0 ? lines.get(i - 1) + "\n" : "") + lines.get(i));
            }
        }
        assertTrue(failures.isEmpty(), format + ": " + failures.size() + " cases failed:\n" + String.join("\n", failures));
        assertEquals(0, p.exitValue(), tail(log));
        long refused = lines.stream().filter(l -> l.contains("-> refused")).count();
        assertTrue(refused > 0, format + ": no mutation was refused; the mutations reach nothing:\n" + tail(log));
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
