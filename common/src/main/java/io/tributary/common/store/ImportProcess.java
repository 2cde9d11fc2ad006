package io.tributary.common.store;

import io.tributary.common.InputException;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The JVM that runs DL4J's Keras import ({@link KerasImportMain}) for {@link KerasImport}: started with
 * this JVM's Java, an environment holding nothing but the locale and HDF5's plugin variables (no
 * Hadoop, Spark or cloud tokens, no {@code LD_PRELOAD}), HDF5 plugin loading off, the system
 * properties of JavaCPP, ND4J and log4j's configuration file but no others (Spark passes its secrets
 * as system properties), a heap and off-heap limit and a time limit sized from the network's
 * parameter count. Its classpath is this JVM's, from {@code java.class.path} and from the class
 * loaders that loaded Tributary (spark-submit loads the application jar through one; it is not on
 * {@code java.class.path} there).
 */
final class ImportProcess {
    static final long BASE_HEAP = 256L << 20;
    /** DL4J reads each weight into a float array on the heap before copying it off the heap. */
    static final long HEAP_PER_PARAMETER = 8;
    static final long BASE_OFF_HEAP = 256L << 20;
    /** The imported network, its NCHW copy, its updater state and the copies made on the way. */
    static final long OFF_HEAP_PER_PARAMETER = 40;
    /** The JVM itself and the native libraries (ND4J, OpenBLAS, HDF5) beside heap and off-heap arrays. */
    static final long NATIVE_SLACK = 768L << 20;
    static final long BASE_SECONDS = 120;
    static final long PARAMETERS_PER_SECOND = 1_000_000;
    /** Spark's launcher/JavaModuleOptions: what ND4J needs on Java 17. */
    static final List<String> MODULE_OPTIONS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");
    /** The environment the import gets from this JVM's: the locale, so that it reads file names alike. */
    static final List<String> PASSED_ENVIRONMENT = List.of("LANG", "LC_ALL", "LC_CTYPE");
    /** System properties passed on by prefix (JavaCPP's platform and cache, ND4J's backend settings). */
    static final List<String> PASSED_PROPERTIES = List.of("org.bytedeco.", "org.nd4j.", "log4j2.configurationFile");
    private static final Map<Integer, String> SIGNALS = Map.of(4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE",
            9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

    private final String source;
    private final Path dir;
    private final long parameters;

    /**
     * @param source     the file as the user named it, for messages
     * @param dir        the import's private temporary directory
     * @param parameters the network's parameter count from its configuration
     */
    ImportProcess(String source, Path dir, long parameters) {
        this.source = source;
        this.dir = dir;
        this.parameters = parameters;
    }

    long heapBytes() {
        return BASE_HEAP + HEAP_PER_PARAMETER * parameters;
    }

    long offHeapBytes() {
        return BASE_OFF_HEAP + OFF_HEAP_PER_PARAMETER * parameters;
    }

    long seconds() {
        return BASE_SECONDS + parameters / PARAMETERS_PER_SECOND;
    }

    /** Imports {@code h5} into the model zip {@code zip}; refuses with the import's own sentence or what became of it. */
    void run(Path h5, Path zip, double learningRate, long maxParameters) throws IOException {
        Path error = dir.resolve("error.txt");
        Path log = dir.resolve("import.log");
        Path request = Files.write(dir.resolve("request.txt"), List.of(source, h5.toString(), zip.toString(),
                error.toString(), String.valueOf(learningRate), String.valueOf(maxParameters),
                String.valueOf(seconds())), StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command(request)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        Map<String, String> own = environment(env);
        env.clear();
        env.putAll(own);
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(seconds() + 10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw failed("ran longer than " + seconds() + " s, the limit for a network of " + parameters
                        + " parameters");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw failed("was interrupted");
        }
        outcome(process.exitValue(), error, log);
    }

    /** The import's environment, from this JVM's {@code parent}: the locale and HDF5's plugin variables only. */
    static Map<String, String> environment(Map<String, String> parent) {
        Map<String, String> env = new HashMap<>();
        for (String name : PASSED_ENVIRONMENT) {
            if (parent.containsKey(name)) {
                env.put(name, parent.get(name));
            }
        }
        env.put("HDF5_PLUGIN_PATH", "");
        env.put("HDF5_PLUGIN_PRELOAD", "::");   // HDF5's value for "load no plugins"
        env.put("OMP_NUM_THREADS", "1");
        return env;
    }

    private void outcome(int code, Path error, Path log) throws IOException {
        String said = Files.exists(error) ? KerasImportMain.oneLine(Files.readString(error, StandardCharsets.UTF_8)) : "";
        switch (code) {
            case 0 -> {
                return;
            }
            case KerasImportMain.REFUSED -> throw new InputException(said.isEmpty()
                    ? "Keras model " + source + " was refused by its import" : said);
            case KerasImportMain.OUT_OF_MEMORY -> throw failed(String.format(Locale.ROOT, "ran out of memory (%,d MiB of"
                    + " heap and %,d MiB off the heap, sized for a network of %,d parameters)", heapBytes() >> 20,
                    offHeapBytes() >> 20, parameters));
            case KerasImportMain.TIMED_OUT -> throw failed("ran longer than " + seconds() + " s, the limit for a network"
                    + " of " + parameters + " parameters");
            default -> {
                String what = code > 128 ? "was killed by signal " + (code - 128) + " (" + SIGNALS.getOrDefault(code - 128,
                        "?") + "), a crash in native code" : "failed (exit " + code + ")";
                String detail = !said.isEmpty() ? said : lastLine(log);
                throw failed(what + (detail.isEmpty() ? "" : "; it said: " + detail));
            }
        }
    }

    private InputException failed(String what) {
        return new InputException("Keras model " + source + " could not be imported: the import process " + what
                + "; the file is refused");
    }

    private static String lastLine(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : KerasImportMain.oneLine(lines.get(lines.size() - 1));
    }

    List<String> command(Path request) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Set<String> options = new LinkedHashSet<>(MODULE_OPTIONS);
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules"))
                .forEach(options::add);
        cmd.addAll(options);
        cmd.add("-Xmx" + (heapBytes() >> 20) + "m");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:-UsePerfData");
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=" + dir.resolve("crash.log"));
        for (String name : System.getProperties().stringPropertyNames()) {
            if (PASSED_PROPERTIES.stream().anyMatch(name::startsWith) && !name.startsWith("org.bytedeco.javacpp.max")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.add("-Dorg.bytedeco.javacpp.maxbytes=" + offHeapBytes());
        cmd.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + (heapBytes() + offHeapBytes() + NATIVE_SLACK));
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(KerasImportMain.class.getName());
        cmd.add(request.toString());
        return cmd;
    }

    /**
     * This JVM's classpath: the file URLs of the class loaders that loaded this class (spark-submit's
     * loader for the application jar and {@code --jars}), this class's own jar or directory, and
     * {@code java.class.path} (Spark's jars under spark-submit, Maven's under surefire).
     */
    static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader l = ImportProcess.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    file(url).ifPresent(entries::add);
                }
            }
        }
        CodeSource own = ImportProcess.class.getProtectionDomain().getCodeSource();
        if (own != null) {
            file(own.getLocation()).ifPresent(entries::add);
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Optional<String> file(URL url) {
        try {
            return "file".equals(url.getProtocol()) ? Optional.of(Path.of(url.toURI()).toString())
                    : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
