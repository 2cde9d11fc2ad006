package io.tributary.tests;

import io.tributary.job.cli.TributaryCli;
import io.tributary.job.spark.ContainerMemory;
import io.tributary.job.spark.TributaryKryoRegistrator;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The launcher and deploy scripts run what the build says; the class they name is in the shaded jar. */
@Tag("integration")
class DeployScriptsIT {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();

    @Test
    void scriptsNameAMainClassThatTheShadedJarHolds() throws IOException {
        Properties env = new Properties();
        try (var in = Files.newInputStream(ROOT.resolve("deploy/target/tributary.env"))) {
            env.load(in);
        }
        String mainClass = env.getProperty("TRIBUTARY_MAIN_CLASS");
        Path jar = ROOT.resolve(env.getProperty("TRIBUTARY_JAR"));
        assertEquals(TributaryCli.class.getName(), mainClass);
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertNotNull(jf.getEntry(mainClass.replace('.', '/') + ".class"), mainClass + " in " + jar);
            assertEquals(mainClass, jf.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNull(jf.getEntry("org/apache/spark/SparkContext.class"), "Spark is provided by the cluster");
            assertNull(jf.getEntry("scala/Predef.class"), "Scala is provided by the cluster");
            assertNotNull(jf.getEntry("org/nd4j/linalg/cpu/nativecpu/CpuBackend.class"), "the ND4J CPU backend is inside");
        }
        for (String script : new String[] {"bin/tributary", "deploy/submit.sh", "deploy/local-cluster/up.sh"}) {
            assertTrue(Files.readString(ROOT.resolve(script)).contains("deploy/conf/jvm-options.sh"),
                    script + " takes the JVM options from deploy/conf/jvm-options.sh");
            String text = Files.readString(ROOT.resolve(script));
            assertTrue(text.contains("tributary.env"), script + " takes names from the build");
            assertFalse(text.contains("io.tributary.job.cli"), script + " must not hard-code the main class");
        }
    }

    @Test
    void scriptsAndTestsOpenTheSameModules() throws IOException {
        Pattern opens = Pattern.compile("--add-opens=([\\w./]+=ALL-UNNAMED)");
        Set<String> scripts = new TreeSet<>();
        Set<String> pom = new TreeSet<>();
        opens.matcher(Files.readString(ROOT.resolve("deploy/conf/jvm-options.sh"))).results().forEach(m -> scripts.add(m.group(1)));
        opens.matcher(Files.readString(ROOT.resolve("pom.xml"))).results().forEach(m -> pom.add(m.group(1)));
        assertEquals(13, scripts.size(), "Spark's list has 13 packages: " + scripts);
        assertEquals(pom, scripts);
    }

    @Test
    void submitShPrintsItsSettingsAsAPropertiesFileForSchedulers() throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("deploy/submit.sh").toString(), "--print-properties")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("# Spark settings of deploy/submit.sh; main class "
                + TributaryCli.class.getName() + ", jar "), out);
        Properties props = new Properties();
        props.load(new StringReader(out));
        assertEquals("org.apache.spark.serializer.KryoSerializer", props.getProperty("spark.serializer"));
        assertEquals(TributaryKryoRegistrator.class.getName(), props.getProperty("spark.kryo.registrator"));
        for (String key : new String[] {"spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"}) {
            assertTrue(props.getProperty(key, "").contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), key + ": " + props);
            assertTrue(props.getProperty(key, "").contains("--add-modules=jdk.incubator.vector"), key + ": " + props);
        }
    }

    /** submit.sh --print-properties with these arguments and environment: its exit status and output. */
    static Map.Entry<Integer, String> printProperties(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("deploy/submit.sh").toString(),
                "--print-properties"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("HADOOP_CONF_DIR");
        pb.environment().remove("YARN_CONF_DIR");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return Map.entry(p.exitValue(), out);
    }

    /**
     * On YARN in cluster mode the driver runs in the application master's container, sized when the
     * application is submitted: its overhead holds ND4J's off-heap limit and the JVM's native memory,
     * as ContainerMemory sizes the executors', and JavaCPP's physical limit is the container.
     */
    @Test
    void submitShSizesTheDriversContainerOnYarnAsExecutorsAreSized() throws Exception {
        var noConf = printProperties(Map.of(), "--master", "yarn");
        assertEquals(2, noConf.getKey(), noConf.getValue());
        assertTrue(noConf.getValue().startsWith("submit.sh: --master yarn needs HADOOP_CONF_DIR"), noConf.getValue());

        Map<String, String> env = Map.of("HADOOP_CONF_DIR", Files.createTempDirectory("conf").toString());
        var printed = printProperties(env, "--master", "yarn", "--deploy-mode", "cluster", "--driver-memory", "3g");
        assertEquals(0, printed.getKey(), printed.getValue());
        Properties props = new Properties();
        props.load(new StringReader(printed.getValue()));
        long overhead = 2048 + ContainerMemory.JVM_NATIVE_MB;
        assertEquals("3g", props.getProperty("spark.driver.memory"));
        assertEquals(overhead + "m", props.getProperty("spark.driver.memoryOverhead"));
        List<String> driver = JavaConverters.seqAsJavaList(
                Utils.splitCommandString(props.getProperty("spark.driver.extraJavaOptions")));
        assertTrue(driver.contains("-Dorg.bytedeco.javacpp.maxbytes=2048m"), driver.toString());
        assertTrue(driver.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + (3072 + overhead) + "m"), driver.toString());
        assertTrue(driver.contains("--add-modules=jdk.incubator.vector"), driver.toString());
        assertEquals("1", props.getProperty("spark.yarn.maxAppAttempts"));
        assertEquals("true", props.getProperty("spark.authenticate"));
        assertNull(props.getProperty("spark.yarn.jars"), "no jars at local: paths on another cluster's nodes");

        var larger = printProperties(Map.of("HADOOP_CONF_DIR", env.get("HADOOP_CONF_DIR"), "TRIBUTARY_OFFHEAP", "3G"),
                "--master", "yarn", "--deploy-mode", "cluster");
        assertTrue(larger.getValue().contains("spark.driver.memoryOverhead " + (3072 + ContainerMemory.JVM_NATIVE_MB)
                + "m\n"), larger.getValue());
        var given = printProperties(env, "--master", "yarn", "--deploy-mode", "cluster", "--conf", "spark.driver.memoryOverhead=1g");
        assertTrue(given.getValue().contains("spark.driver.memoryOverhead 1024m\n"), given.getValue());
        var client = printProperties(env, "--master", "yarn");
        assertFalse(client.getValue().contains("spark.driver.memoryOverhead"), "no container for a client-mode driver");

        // bin/tributary sets none of that: it sends YARN users to submit.sh instead of failing later.
        Process launcher = new ProcessBuilder(ROOT.resolve("bin/tributary").toString(), "doctor", "--master", "yarn")
                .redirectErrorStream(true).start();
        String said = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, launcher.exitValue(), said);
        assertTrue(said.startsWith("tributary: --master yarn runs through deploy/submit.sh") && said.contains("-- doctor"), said);
    }
}
