package io.tributary.tests;

import org.apache.spark.util.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attacks on the deploy scripts: {@code local-cluster/down.sh} pointed at a directory that is not
 * a cluster's, or at PIDs that are no longer the cluster's daemons, must delete and kill nothing;
 * {@code submit.sh} must pass an option whose value holds a space as one argument (a split one runs
 * with options nobody wrote).
 */
@Tag("security")
class DeployScriptsSecurityTest {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopBystanders() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void downShDeletesNothingAndKillsNothingInADirectoryUpShDidNotCreate() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("not-a-cluster"));
        Path work = Files.writeString(state.resolve("notes.txt"), "keep me");
        Process bystander = bystander(state.resolve("work/executor").toString());
        Files.writeString(state.resolve("pids"), bystander.pid() + " master\n");

        Run down = down(state);

        assertNotEquals(0, down.code, "down.sh refuses a directory without up.sh's mark: " + down.output);
        assertTrue(down.output.contains(state.toString()), down.output);
        assertEquals("keep me", Files.readString(work), "the directory is untouched");
        assertTrue(bystander.isAlive(), "a process that up.sh did not start is left running");
    }

    @Test
    void downShKillsOnlyTheRecordedDaemonsThatAreStillThoseProcesses() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("cluster"));
        Files.writeString(state.resolve(".tributary-local-cluster"), "made by deploy/local-cluster/up.sh\n");
        // A process whose PID a recorded daemon once had (its start time differs), and one whose command
        // line names the cluster's work directory without being a worker's child.
        Process reused = bystander(state.resolve("spark-home/jars").toString());
        Process lookalike = bystander(state.resolve("work/app-1/0").toString());
        Files.writeString(state.resolve("pids"), reused.pid() + " worker-1 1\n");

        Run down = down(state);

        assertEquals(0, down.code, down.output);
        assertTrue(reused.isAlive(), "a reused PID is not signalled: " + down.output);
        assertTrue(lookalike.isAlive(), "no process is killed by a pattern on its command line: " + down.output);
        assertFalse(Files.exists(state), "the cluster's own directory is removed");
    }

    @Test
    void submitShPassesAnOptionValueHoldingASpaceAsOneArgument() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve("deploy/target/tributary.env")),
                "deploy/submit.sh is not built; run mvn -DskipTests package first");
        // The installation lies under a path with a space, which the driver's log4j option names.
        Path home = Files.createSymbolicLink(tmp.resolve("tributary home"), ROOT);
        String log4j = "-Dlog4j2.configurationFile=" + home + "/deploy/conf/log4j2.properties";

        ProcessBuilder print = new ProcessBuilder(home.resolve("deploy/submit.sh").toString(), "--print-properties");
        Run printed = run(print);
        assertEquals(0, printed.code, printed.output);
        Properties props = new Properties();
        props.load(new StringReader(printed.output));
        List<String> driverOptions = JavaConverters.seqAsJavaList(
                Utils.splitCommandString(props.getProperty("spark.driver.extraJavaOptions", "")));
        assertTrue(driverOptions.contains(log4j), "Spark splits the driver options into " + driverOptions);
        assertEquals("false", props.getProperty("spark.ui.killEnabled"), printed.output);

        // Without SPARK_HOME, submit.sh runs SparkSubmit with java itself: a stand-in java records its arguments.
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path argsFile = tmp.resolve("java-args");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\n");
        Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder submit = new ProcessBuilder(home.resolve("deploy/submit.sh").toString(),
                "--master", "spark://127.0.0.1:7077", "--", "--version");
        submit.environment().remove("SPARK_HOME");
        submit.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        Run submitted = run(submit);
        assertEquals(0, submitted.code, submitted.output);
        List<String> javaArgs = Files.readAllLines(argsFile);
        assertTrue(javaArgs.contains(log4j), "java was given " + javaArgs);
        assertTrue(javaArgs.contains("spark.ui.killEnabled=false"), "java was given " + javaArgs);
    }

    /** A harmless process whose command line starts with {@code argv0}. */
    private Process bystander(String argv0) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "exec -a \"$0\" sleep 300", argv0).start();
        started.add(p);
        return p;
    }

    private Run down(Path state) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("deploy/local-cluster/down.sh").toString());
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", state.toString());
        return run(pb);
    }

    private record Run(int code, String output) {
    }

    private static Run run(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }
}
