package io.tributary.job.cli;

import io.tributary.common.config.Backend;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.Json;
import io.tributary.job.spark.BackendCheck;
import io.tributary.job.spark.BackendReport;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkContexts;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tributary doctor}: which ND4J backend the driver and every executor loaded, and their memory
 * (heap, ND4J's off-heap and physical limits, the container where YARN or Kubernetes enforces one).
 * Exit 2 when {@code --backend} names another backend than an executor has.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Reports the ND4J backend (CPU/CUDA, native variant, BLAS, threads, devices) and the memory (heap, ND4J's"
                + " off-heap limit, the container on YARN or Kubernetes) of the "
                + "driver and every executor; fails when --backend was asked for and an executor loaded another.")
public final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--backend", paramLabel = "MODE", defaultValue = "any",
            description = "Backend every executor must have: any (default), cpu or cuda.")
    String backend;
    @Option(names = "--json", description = "Print the reports as JSON instead of lines.")
    boolean json;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Backend wanted = TrainKeys.BACKEND.parse(backend);
        SparkConf conf = SparkConfs.build("tributary-doctor", master);
        try (JavaSparkContext sc = SparkContexts.start(conf)) {
            ExecutorWait.await(sc);
            BackendCheck.Result result = BackendCheck.run(sc);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("master", conf.get("spark.master"));
                out.put("driver", result.driver().toMap());
                out.put("executors", result.executors().stream().map(BackendReport::toMap).toList());
                System.out.println(Json.write(out));
            } else {
                textLines(result).forEach(System.out::println);
            }
            BackendCheck.require(wanted, result);
        }
        return TributaryCli.EXIT_OK;
    }

    /**
     * One line per JVM. In local mode the driver is also the only executor (both report the id
     * "driver"): its task-side report, which has the GPUs Spark assigned, is printed once.
     */
    static List<String> textLines(BackendCheck.Result result) {
        List<String> lines = new ArrayList<>();
        boolean driverRunsTasks = result.executors().stream()
                .anyMatch(r -> r.executorId.equals(result.driver().executorId));
        if (!driverRunsTasks) lines.add("driver: " + result.driver().line());
        for (BackendReport r : result.executors()) {
            lines.add((r.executorId.equals(result.driver().executorId) ? "driver and executor: " : "") + r.line());
        }
        return lines;
    }
}
