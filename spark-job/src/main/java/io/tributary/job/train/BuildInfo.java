package io.tributary.job.train;

import org.apache.hadoop.util.VersionInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions fixed at build time (from {@code tributary.properties}) and the git revision, if known. */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/tributary.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    public static String mainClass() {
        return PROPS.getProperty("main.class");
    }

    /** The revision the launcher found ({@code TRIBUTARY_GIT_REVISION}), or "unknown". */
    public static String gitRevision() {
        String rev = System.getenv("TRIBUTARY_GIT_REVISION");
        return rev == null || rev.isBlank() ? "unknown" : rev.trim();
    }

    /** Library versions of this build, plus the Spark and Java versions actually running. */
    public static Map<String, Object> libraries(String runningSparkVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tributary", version());
        m.put("deeplearning4j", PROPS.getProperty("dl4j.version"));
        m.put("nd4j", PROPS.getProperty("dl4j.version"));
        m.put("dl4j_spark", PROPS.getProperty("dl4j.spark.version"));
        m.put("spark_built_against", PROPS.getProperty("spark.version"));
        m.put("spark_running", runningSparkVersion);
        m.put("scala", scala.util.Properties.versionNumberString());  // Properties: another class of this name is also imported
        m.put("hadoop", VersionInfo.getVersion());
        m.put("java", System.getProperty("java.version"));
        return m;
    }
}
