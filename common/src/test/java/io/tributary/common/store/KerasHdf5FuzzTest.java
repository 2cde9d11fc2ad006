package io.tributary.common.store;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded mutations of {@code seed_cnn.h5} and {@code two_branch.h5} ({@link KerasFuzzMain}), each read
 * the way {@code train --model} reads a Keras file, in a JVM with a 512 MiB heap: every one ends in a
 * network or one sentence naming the file, never an OutOfMemoryError, a crash, another exception or a
 * read longer than the import process's own time limit. The security tier runs
 * {@value #DEFAULT_MUTATIONS}; the full run is
 * {@code mvn -pl common -Psecurity -Dtest=KerasHdf5FuzzTest -Dtributary.fuzz.mutations=400 test}, and
 * {@code -Dtributary.fuzz.seed=S -Dtributary.fuzz.first=I -Dtributary.fuzz.mutations=1} repeats one.
 */
@Tag("security")
class KerasHdf5FuzzTest {
    static final int DEFAULT_MUTATIONS = 150;
    private static final long SEED = Long.getLong("tributary.fuzz.seed", 20261206L);
    private static final int FIRST = Integer.getInteger("tributary.fuzz.first", 0);
    private static final int COUNT = Integer.getInteger("tributary.fuzz.mutations", DEFAULT_MUTATIONS);
    /** The import process's limit for a network of the fixtures' size, and the time to start it. */
    private static final long BOUND_MS = (ImportProcess.BASE_SECONDS + 15) * 1000;

    @TempDir
    Path tmp;

    @Test
    void mutatedKerasFilesEndInANetworkOrOneSentence() throws Exception {
        System.out.println("Keras HDF5 fuzz: seed " + SEED + ", mutations " + FIRST + " to " + (FIRST + COUNT - 1)
                + " (one again: -Dtributary.fuzz.seed=" + SEED + " -Dtributary.fuzz.first=I -Dtributary.fuzz.mutations=1)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-")).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx512m", "-Dtributary.root=" + System.getProperty("tributary.root", ""), "-cp",
                System.getProperty("java.class.path"), KerasFuzzMain.class.getName(), String.valueOf(SEED),
                String.valueOf(FIRST), String.valueOf(COUNT), Files.createDirectories(tmp.resolve("files")).toString()));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(new File(out.toString())).redirectError(new File(err.toString()))
                .start();
        if (!p.waitFor(COUNT * BOUND_MS / 4 + 120_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("the fuzz reader did not finish; its lines so far:\n" + Files.readString(out));
        }
        String all = "exit " + p.exitValue() + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err);
        assertEquals(0, p.exitValue(), all);
        assertFalse(all.contains("OutOfMemoryError"), all);
        List<String[]> lines = Files.readAllLines(out).stream().filter(l -> l.matches("\\d+\t.*")).map(l -> l.split("\t", 6))
                .toList();
        assertEquals(COUNT, lines.size(), all);
        Map<String, Integer> rules = new TreeMap<>();
        int accepted = 0;
        long slowest = 0;
        for (String[] l : lines) {
            String what = "mutation " + l[0] + " of " + l[1] + " (" + l[4] + "): " + l[5];
            assertTrue(l[2].equals("accepted") || l[2].equals("refused"), what);
            long ms = Long.parseLong(l[3]);
            slowest = Math.max(slowest, ms);
            assertTrue(ms < BOUND_MS, "took " + ms + " ms: " + what);
            if (l[2].equals("accepted")) {
                accepted++;
                continue;
            }
            assertTrue(l[5].contains("mutation-" + l[0] + ".h5"), "names the file: " + what);
            assertFalse(l[5].contains("\\n"), "one line: " + what);
            rules.merge(rule(l[5]), 1, Integer::sum);
        }
        System.out.println("Keras HDF5 fuzz: " + COUNT + " mutations, " + accepted + " accepted, " + (COUNT - accepted)
                + " refused; slowest " + slowest + " ms; refusals by rule:");
        rules.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> System.out.println(String.format("%5d  %s", e.getValue(), e.getKey())));
        assertTrue(COUNT - accepted > 0, "some mutations are refused");
    }

    /** A refusal's rule: its sentence after the file's name, numbers, names and paths taken out. */
    static String rule(String message) {
        int at = message.indexOf(".h5");
        String s = at < 0 ? message : message.substring(at + 3);
        s = s.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("/[\\w:./-]*", "PATH").replaceAll("\\b\\d[\\d,]*\\b", "N");
        int end = s.indexOf(';');
        s = end < 0 ? s : s.substring(0, end);
        return s.length() > 110 ? s.substring(0, 110) + "…" : s;
    }
}
