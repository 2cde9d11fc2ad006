package io.tributary.tests;

import io.tributary.job.cli.TributaryCli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code tributary} as a user would: in this JVM with its output captured, or as a process of its own. */
final class Cli {
    private Cli() {
    }

    record Run(int code, String out, String err) {
        /** Both streams, for assertion messages. */
        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /**
     * Whether {@code err} holds a stack trace of Tributary's: one with a frame of its code, as every trace
     * printed on the way out of a command has. Traces Spark's own threads print while the context stops
     * (a callback rejected by a pool shutting down) have none, and are not the command's error report.
     */
    static boolean hasStackTrace(String err) {
        return err.contains("\tat io.tributary.");
    }

    /** In this JVM, with stdout and stderr captured. */
    static synchronized Run inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = TributaryCli.execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** In a JVM of its own (this one's classpath and module options), with extra system properties. */
    static Run subprocess(Path logDir, List<String> jvmOptions, String... args) throws Exception {
        return start(logDir, jvmOptions, args).finish();
    }

    /** A {@code tributary} process that is still running, with its output going to files. */
    record Started(Process process, Path out, Path err, String command) {
        /** Waits up to 300 s for the exit and returns what it printed. */
        Run finish() throws Exception {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in 300 s:\n" + Files.readString(err));
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    /** Starts {@link #subprocess} without waiting for it. */
    static Started start(Path logDir, List<String> jvmOptions, String... args) throws Exception {
        return start(logDir, command(jvmOptions, args));
    }

    /** The command line of {@link #subprocess}, to adjust (its environment, say) before starting it. */
    static ProcessBuilder command(List<String> jvmOptions, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules")).forEach(cmd::add);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TributaryCli.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** Starts a prepared command (the launcher script, say), its output going to files in logDir. */
    static Started start(Path logDir, ProcessBuilder builder) throws Exception {
        Path out = Files.createTempFile(logDir, "cli", ".out");
        Path err = Files.createTempFile(logDir, "cli", ".err");
        Process p = builder.redirectOutput(new File(out.toString())).redirectError(new File(err.toString())).start();
        return new Started(p, out, err, String.join(" ", builder.command()));
    }
}
