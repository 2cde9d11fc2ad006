package io.tributary.tests;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@code ```bash} block of README.md, docs/*.md and notebooks/README.md, run as written, in
 * document order, each as one bash script that must exit 0.
 *
 * <p>The blocks run in a scratch directory that links every top-level entry of the repository, so
 * their relative output paths ({@code runs/...}) land there and later blocks (the notebooks) read
 * what earlier ones (train, retrain) wrote, from the directory a user would type them in. What is
 * changed, and only that: absolute output paths under {@code /tmp/} move into the scratch directory;
 * {@code train}, {@code retrain} and {@code submit.sh} get {@value #SMALL_DATA}; the README's
 * {@code deploy/setup.sh &&} is dropped (it installs packages and rebuilds the build under test,
 * and deploy/test.sh, which runs this tier, has run it). A block that is not meant to run here says
 * so in the Markdown, with its reason, on the line before it: {@code <!-- docs-test: skip (reason) -->}.
 * A block that starts the local cluster gets its own state directory, and down.sh runs after it
 * whatever happened.
 */
@Tag("docs")
class DocsCommandsTest {
    static final Path ROOT = LocalClusterIT.ROOT;
    static final String SMALL_DATA = "--train-examples 2000 --test-examples 1000";
    private static final Pattern SKIP = Pattern.compile("<!--\\s*docs-test:\\s*skip\\s*\\((.+)\\)\\s*-->");
    private static final Pattern TRAINING = Pattern.compile("tributary (train|retrain) |deploy/submit\\.sh .*--data ");
    private static final String SETUP = "deploy/setup.sh && ";

    @TempDir
    Path tmp;

    /** One code block: where it is, its text, and the reason it is skipped (null when it runs). */
    record Block(String file, int line, String script, String skip) {
        String where() {
            return file + ":" + line;
        }
    }

    @Test
    void everyDocumentedCommandRunsAsWritten() throws Exception {
        Path work = scratch();
        List<Block> blocks = documentedBlocks();
        int ran = 0;
        StringBuilder skipped = new StringBuilder();
        for (Block b : blocks) {
            if (b.skip() != null) {
                skipped.append(b.where()).append(": ").append(b.skip()).append('\n');
                continue;
            }
            long start = System.nanoTime();
            Result r = run(work, b);
            System.out.printf("docs: %s ran in %.0f s%n", b.where(), (System.nanoTime() - start) / 1e9);
            assertEquals(0, r.code(), b.where() + " failed as written:\n" + substitute(b.script(), work) + "\n" + r.tail());
            assertFalse(r.output().contains("resolves to a loopback address"),
                    b.where() + " printed Spark's loopback note:\n" + r.tail());
            ran++;
        }
        System.out.print("docs: skipped blocks\n" + skipped);
        assertTrue(ran >= 5, "only " + ran + " blocks ran: is the Markdown parsed?");
    }

    @Test
    void aBrokenCommandFailsTheTier() throws Exception {
        Path work = scratch();
        Block broken = new Block("broken.md", 1, "bin/tributary train --data /usr/share/datasets/fashion-mnist"
                + " --output runs/broken --epochs 0 --master 'local[1]'\n", null);
        Result r = run(work, broken);
        assertNotEquals(0, r.code(), r.tail());
        assertFalse(Files.exists(work.resolve("runs/broken/model.zip")));
    }

    @Test
    void everySkippedBlockSaysWhy() throws Exception {
        for (Block b : documentedBlocks()) {
            if (b.skip() != null) assertFalse(b.skip().isBlank(), b.where() + " is skipped without a reason");
        }
        String line = substitute("bin/tributary train --data d --output runs/x   # c\n", tmp);
        assertTrue(line.matches("bin/tributary train --data d --output runs/x " + SMALL_DATA + " +# c\n"), line);
    }

    /** README.md, docs/*.md (sorted), notebooks/README.md: the order a reader meets them. */
    static List<Block> documentedBlocks() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        files.add(ROOT.resolve("notebooks/README.md"));
        List<Block> out = new ArrayList<>();
        for (Path f : files) out.addAll(blocks(ROOT.relativize(f).toString(), Files.readAllLines(f)));
        return out;
    }

    static List<Block> blocks(String file, List<String> lines) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```bash")) continue;
            String skip = null;
            for (int j = i - 1; j >= 0 && !lines.get(j).isBlank(); j--) {
                Matcher m = SKIP.matcher(lines.get(j));
                if (m.find()) skip = m.group(1);
            }
            StringBuilder script = new StringBuilder();
            int start = i + 1;
            for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                script.append(lines.get(i)).append('\n');
            }
            out.add(new Block(file, start, script.toString(), skip));
        }
        return out;
    }

    /** The substitutions described in the class comment, and nothing else. */
    static String substitute(String script, Path work) {
        String text = script.replace(SETUP, "").replace(" /tmp/", " " + work.resolve("tmp") + "/");
        List<String> out = new ArrayList<>();
        List<String> command = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            command.add(line);
            if (line.endsWith("\\")) continue;
            if (TRAINING.matcher(String.join(" ", command)).find()) {
                // The flags go at the end of the command's last line, before a trailing comment.
                int comment = line.indexOf("  #");
                command.set(command.size() - 1, comment < 0 ? line + " " + SMALL_DATA
                        : line.substring(0, comment).stripTrailing() + " " + SMALL_DATA + line.substring(comment));
            }
            out.addAll(command);
            command.clear();
        }
        out.addAll(command);
        return String.join("\n", out);
    }

    record Result(int code, String output) {
        String tail() {
            return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
        }
    }

    /** Runs one block with bash -e in the scratch directory, stopping a cluster it started. */
    private Result run(Path work, Block b) throws Exception {
        Path log = Files.createTempFile(tmp, "block", ".log");
        // up.sh makes its own state directory (it refuses one it did not make): a fresh name, not a directory.
        Path state = tmp.resolve("cluster-" + UUID.randomUUID());
        Map<String, String> env = Map.of("TRIBUTARY_CLUSTER_DIR", state.toString());
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + substitute(b.script(), work))
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(new File(log.toString()));
        pb.environment().putAll(env);
        pb.environment().put("PWD", work.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(480, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(b.where() + " did not finish in 480 s:\n" + Files.readString(log));
            }
        } finally {
            if (b.script().contains("local-cluster/up.sh")) {
                ProcessBuilder down = new ProcessBuilder("deploy/local-cluster/down.sh").directory(work.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
                down.environment().putAll(env);
                down.start().waitFor(120, TimeUnit.SECONDS);
            }
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    /** A directory that links every top-level entry of the repository but runs/ (the outputs go here). */
    private Path scratch() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(work.resolve("tmp"));
        try (Stream<Path> entries = Files.list(ROOT)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                String name = e.getFileName().toString();
                if (!name.equals("runs")) Files.createSymbolicLink(work.resolve(name), e);
            }
        }
        return work;
    }
}
