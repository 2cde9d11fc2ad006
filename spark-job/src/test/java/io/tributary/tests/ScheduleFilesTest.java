package io.tributary.tests;

import io.tributary.job.cli.TributaryCli;
import io.tributary.job.train.BuildInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.dataformat.yaml.YAMLFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What can be checked here of the scheduling material in deploy/schedule: the crontab line is
 * well-formed shell calling deploy/submit.sh retrain; the Airflow DAG compiles with Python and its
 * SparkSubmitOperator names the main class and jar; the Kubernetes CronJob parses and runs
 * deploy/submit.sh retrain with the jar the image holds.
 */
class ScheduleFilesTest {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();
    static final Path SCHEDULE = ROOT.resolve("deploy/schedule");
    static final String JAR = "spark-job/target/tributary-spark-job-" + BuildInfo.version() + "-shaded.jar";

    @TempDir
    Path tmp;

    @Test
    void theCrontabLineRunsRetrainThroughSubmitSh() throws Exception {
        List<String> jobs = Files.readAllLines(SCHEDULE.resolve("crontab")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.matches("^[A-Z_]+=.*")).toList();
        assertEquals(1, jobs.size(), jobs.toString());
        String[] fields = jobs.get(0).split("\\s+", 6);
        assertEquals(6, fields.length, jobs.get(0));
        assertEquals(List.of("15", "2", "*", "*", "*"), List.of(fields).subList(0, 5));
        String command = fields[5];
        assertFalse(command.contains("%"), "cron turns % into newlines");
        assertTrue(command.contains("deploy/submit.sh --master ") && command.contains(" -- retrain --registry hdfs://"),
                command);
        assertEquals(0, run("bash", "-n", "-c", command), "bash -n " + command);
    }

    @Test
    void theAirflowDagCompilesAndItsOperatorNamesTheClassAndJar() throws Exception {
        Path dag = SCHEDULE.resolve("tributary_retrain_dag.py");
        Path check = Files.writeString(tmp.resolve("check.py"), String.join("\n",
                "import ast, py_compile, sys",
                "py_compile.compile(sys.argv[1], doraise=True)",
                "tree = ast.parse(open(sys.argv[1]).read())",
                "consts = {n.targets[0].id: n.value for n in tree.body if isinstance(n, ast.Assign)}",
                "calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'id', '') == 'SparkSubmitOperator']",
                "assert len(calls) == 1, calls",
                "kw = {k.arg: k.value for k in calls[0].keywords}",
                "cls = kw['java_class']",
                "cls = consts[cls.id] if isinstance(cls, ast.Name) else cls",
                "print('class', ast.literal_eval(cls))",
                "version = ast.literal_eval(consts['TRIBUTARY_VERSION'])",
                "print('jar', ast.unparse(consts['APP_JAR']).replace('{TRIBUTARY_VERSION}', version))",
                "print('args', ' '.join(ast.literal_eval(e) for e in kw['application_args'].elts if isinstance(e, ast.Constant)))",
                "print('properties', ast.unparse(kw['properties_file']), ast.unparse(consts['PROPERTIES']))", ""));
        Path out = tmp.resolve("dag.out");
        Process p = new ProcessBuilder("python3", check.toString(), dag.toString()).redirectErrorStream(true)
                .redirectOutput(new File(out.toString())).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), printed);
        assertTrue(printed.contains("class " + TributaryCli.class.getName() + "\n"), printed);
        assertTrue(printed.contains("/" + JAR), printed);
        assertTrue(printed.contains("args retrain --registry"), printed);
        assertTrue(printed.contains("/deploy/target/{PROPERTIES}"), printed);
        assertTrue(printed.contains("'spark-submit-yarn.properties' if ON_YARN else 'spark-submit.properties'"), printed);
    }

    /** The crontab's YARN form (a comment to use instead): well-formed, cluster mode, no secret file. */
    @Test
    void theCrontabsYarnFormSubmitsInClusterModeWithTheJarsUploadedOnce() throws Exception {
        List<String> yarn = Files.readAllLines(SCHEDULE.resolve("crontab")).stream()
                .filter(l -> l.startsWith("# 15 2 * * * ")).toList();
        assertEquals(1, yarn.size(), yarn.toString());
        String command = yarn.get(0).substring("# 15 2 * * * ".length());
        assertTrue(command.contains(" deploy/submit.sh --master yarn --deploy-mode cluster ")
                && command.contains("HADOOP_CONF_DIR=") && command.contains("TRIBUTARY_YARN_JARS=hdfs://")
                && command.contains(" -- retrain --registry hdfs://"), command);
        assertFalse(command.contains("--properties-file"), "Spark generates the secret on YARN: " + command);
        assertEquals(0, run("bash", "-n", "-c", command), "bash -n " + command);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesCronJobRunsRetrainThroughSubmitShWithTheImagesJar() throws Exception {
        Map<String, Object> cron = new ObjectMapper(new YAMLFactory())
                .readValue(SCHEDULE.resolve("retrain-cronjob.yaml").toFile(), Map.class);
        assertEquals("batch/v1", cron.get("apiVersion"));
        assertEquals("CronJob", cron.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) cron.get("spec");
        assertEquals("15 2 * * *", spec.get("schedule"));
        assertEquals("Forbid", spec.get("concurrencyPolicy"));
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) spec.get("jobTemplate")).get("spec")).get("template")).get("spec");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
        assertEquals(1, containers.size());
        Map<String, Object> c = containers.get(0);
        assertEquals(List.of("/opt/tributary/deploy/submit.sh"), c.get("command"));
        List<String> args = (List<String>) c.get("args");
        int dashes = args.indexOf("--");
        assertTrue(dashes > 0, args.toString());
        assertEquals(List.of("retrain", "--registry"), args.subList(dashes + 1, dashes + 3));
        Map<String, Object> env = new HashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) c.get("env")) env.put((String) e.get("name"), e.get("value"));
        assertEquals("/opt/tributary/" + JAR, env.get("TRIBUTARY_APP_JAR"));
        String dockerfile = Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"));
        assertTrue(dockerfile.contains("COPY spark-job/target/tributary-spark-job-*-shaded.jar /opt/tributary/spark-job/target/"),
                "the image holds the jar where the CronJob names it");
        assertTrue(dockerfile.contains("COPY deploy/submit.sh /opt/tributary/deploy/submit.sh"));
        assertTrue(Files.readString(ROOT.resolve("deploy/submit.sh")).contains("retrain|registry"),
                "submit.sh passes retrain through as a subcommand");
    }

    @Test
    void submitPassesEverySubcommandOfTheCliThrough() throws Exception {
        Matcher m = Pattern.compile("\\n\\s*(train\\|[a-z|]+)\\|-h\\|")
                .matcher(Files.readString(ROOT.resolve("deploy/submit.sh")));
        assertTrue(m.find(), "submit.sh's list of subcommands");
        assertEquals(new TreeSet<>(new picocli.CommandLine(new TributaryCli())
                        .getSubcommands().keySet()), new TreeSet<>(List.of(m.group(1).split("\\|"))),
                "a subcommand submit.sh does not know would be submitted as train's arguments");
    }

    /** The Spark settings deploy/SECURITY.md requires of every scheduled run. */
    static final List<String> SECURE = List.of("spark.authenticate=true", "spark.network.crypto.enabled=true",
            "spark.io.encryption.enabled=true");

    @Test
    void theCrontabLineAuthenticatesAndEncryptsWithTheSecretFromAPrivateFile() throws Exception {
        String command = Files.readAllLines(SCHEDULE.resolve("crontab")).stream()
                .filter(l -> l.contains("deploy/submit.sh")).findFirst().orElseThrow();
        for (String setting : SECURE) assertTrue(command.contains("--conf " + setting + " "), setting + " in " + command);
        assertTrue(command.matches(".* --properties-file /\\S+ .*-- retrain .*"), "the secret comes from a file: " + command);
        assertFalse(command.contains("spark.authenticate.secret"), "no secret on the command line: " + command);
    }

    @Test
    void theAirflowDagAuthenticatesAndEncrypts() throws Exception {
        Path check = Files.writeString(tmp.resolve("conf.py"), String.join("\n",
                "import ast, sys",
                "tree = ast.parse(open(sys.argv[1]).read())",
                "consts = {n.targets[0].id: n.value for n in tree.body if isinstance(n, ast.Assign)}",
                "call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'id', '') == 'SparkSubmitOperator')",
                "conf = {k.arg: k.value for k in call.keywords}['conf']",
                "conf = ast.literal_eval(consts[conf.id] if isinstance(conf, ast.Name) else conf)",
                "print(' '.join(f'{k}={v}' for k, v in sorted(conf.items())))", ""));
        Path out = tmp.resolve("conf.out");
        Process p = new ProcessBuilder("python3", check.toString(), SCHEDULE.resolve("tributary_retrain_dag.py").toString())
                .redirectErrorStream(true).redirectOutput(new File(out.toString())).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String printed = Files.readString(out).trim();
        assertEquals(0, p.exitValue(), printed);
        for (String setting : SECURE) assertTrue(List.of(printed.split(" ")).contains(setting), setting + " in " + printed);
        assertFalse(printed.contains("spark.authenticate.secret"), "no secret in the DAG: " + printed);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesCronJobAuthenticatesAndEncryptsWithTheSecretMountedInEveryPod() throws Exception {
        Map<String, Object> cron = new ObjectMapper(new YAMLFactory())
                .readValue(SCHEDULE.resolve("retrain-cronjob.yaml").toFile(), Map.class);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) cron.get("spec")).get("jobTemplate")).get("spec")).get("template")).get("spec");
        Map<String, Object> c = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        List<String> args = (List<String>) c.get("args");
        for (String setting : SECURE) assertTrue(args.contains(setting), setting + " in " + args);
        String file = args.stream().filter(a -> a.startsWith("spark.authenticate.secret.file=")).findFirst()
                .orElseThrow(() -> new AssertionError("the secret comes from a file: " + args)).split("=", 2)[1];
        String dir = file.substring(0, file.lastIndexOf('/'));
        Map<String, Object> mount = ((List<Map<String, Object>>) c.get("volumeMounts")).stream()
                .filter(m -> dir.equals(m.get("mountPath"))).findFirst().orElseThrow();
        Map<String, Object> volume = ((List<Map<String, Object>>) pod.get("volumes")).stream()
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
        String secret = (String) ((Map<String, Object>) volume.get("secret")).get("secretName");
        assertTrue(args.contains("spark.kubernetes.executor.secrets." + secret + "=" + dir),
                "executors mount the same secret at " + dir + ": " + args);
        assertFalse(args.stream().anyMatch(a -> a.startsWith("spark.authenticate.secret=")), "no secret in the args");
    }

    private int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }
}
