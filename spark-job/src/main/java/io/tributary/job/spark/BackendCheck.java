package io.tributary.job.spark;

import io.tributary.common.InputException;
import io.tributary.common.config.Backend;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Asks every executor which ND4J backend it loaded (one task per task slot, reports kept once per
 * executor) and checks it against the backend the job asked for.
 */
public final class BackendCheck {
    private BackendCheck() {
    }

    /** What the driver and each executor loaded. */
    public record Result(BackendReport driver, List<BackendReport> executors) {
    }

    public static Result run(JavaSparkContext sc) {
        int slots = Math.max(1, sc.defaultParallelism());
        List<BackendReport> reports = sc.parallelize(IntStream.range(0, slots).boxed().toList(), slots)
                .mapPartitions(new Probe()).collect();
        Map<String, BackendReport> byExecutor = new TreeMap<>();
        for (BackendReport r : reports) {
            byExecutor.putIfAbsent(r.executorId, r);
        }
        return new Result(BackendReport.here(), List.copyOf(byExecutor.values()));
    }

    /** Fails, naming the executor, when one loaded another backend than {@code wanted}. */
    public static void require(Backend wanted, Result result) {
        if (wanted == Backend.ANY) return;
        for (BackendReport r : result.executors()) {
            if (!r.backend.equals(wanted.label())) {
                throw new InputException("Executor " + r.executorId + " on " + r.host + " loaded the "
                        + r.backend.toUpperCase(Locale.ROOT) + " backend (" + r.backendClass
                        + ") but backend " + wanted.label() + " was asked for; "
                        + (wanted == Backend.CUDA
                        ? "submit the CUDA jar (mvn -Pcuda package: tributary-spark-job-*-cuda.jar) to nodes with CUDA 11.6"
                        : "submit the CPU jar (tributary-spark-job-*-shaded.jar)"));
            }
        }
    }

    /** Executor side: the report of the JVM the task runs in. */
    static final class Probe implements FlatMapFunction<Iterator<Integer>, BackendReport> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<BackendReport> call(Iterator<Integer> ignored) {
            return Collections.singletonList(BackendReport.here()).iterator();
        }
    }
}
