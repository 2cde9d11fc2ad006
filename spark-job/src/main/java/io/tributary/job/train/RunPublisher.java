package io.tributary.job.train;

import io.tributary.common.config.TrainConfig;
import io.tributary.common.io.Json;
import io.tributary.common.io.RunOutput;
import io.tributary.common.metrics.ClassificationReport;
import io.tributary.common.metrics.ProcessMemory;
import io.tributary.common.config.InputShape;
import io.tributary.common.store.ModelStore;
import io.tributary.job.report.RunReport;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a finished run into its claimed output: metrics.json, metadata.json (config, model, data
 * fingerprint, Spark, libraries, revision), report.html, any extra JSON file, and model.zip last,
 * since its presence means the run completed.
 */
final class RunPublisher {
    private RunPublisher() {
    }

    static void publish(RunOutput output, TrainConfig config, TrainResult result, TrainingData data,
                        Map<String, Object> sparkInfo, Map<String, Map<String, Object>> extraFiles) throws IOException {
        Map<String, Object> metrics = metrics(result);
        metrics.put("skipped_records", data.skipped().value());
        Map<String, Object> metadata = metadata(config, result, data, sparkInfo);
        writeJson(output, "metrics.json", metrics);
        writeJson(output, "metadata.json", metadata);
        for (Map.Entry<String, Map<String, Object>> extra : extraFiles.entrySet()) {
            writeJson(output, extra.getKey(), extra.getValue());
        }
        output.write(RunReport.FILE, out -> out.write(RunReport.bytes(metrics, metadata)));
        output.write(ModelStore.MODEL_FILE, out -> ModelStore.write(result.model(), out));
    }

    private static Map<String, Object> metrics(TrainResult result) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", result.test().accuracy());
        metrics.put("train_loss", result.epochs().get(result.epochs().size() - 1).trainLoss());
        metrics.put("examples_per_second", result.examplesPerSecond());
        metrics.put("train_seconds", result.trainSeconds());
        metrics.put("wall_seconds", result.wallSeconds());
        metrics.put("epochs", result.epochs().stream().map(EpochResult::toMap).toList());
        metrics.put("test", result.test().toMap());
        ClassificationReport.putConfusion(metrics, result.test().report().confusion());
        metrics.put("seconds_to_first_step", result.footprint().secondsToFirstStep());
        metrics.put("cached_batches_mb", result.footprint().cachedBatchBytes() / (double) (1 << 20));
        metrics.put("driver", driver());
        return metrics;
    }

    /**
     * The driver's JVM over the run (in local mode it holds the executors too): peak resident memory,
     * peak heap (the sum of the heap pools' peaks, an upper bound) and maximum heap in MiB, and the
     * bytes it read through Hadoop filesystems (listings' metadata aside: headers, schemas, model
     * files; in local mode also the executors' reads).
     */
    @SuppressWarnings("deprecation")   // FileSystem.getAllStatistics: the per-scheme totals of this JVM
    private static Map<String, Object> driver() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peak_rss_mb", ProcessMemory.peakRssMb());
        m.put("peak_heap_mb", java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (double) (1 << 20));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (double) (1 << 20));
        m.put("filesystem_bytes_read", org.apache.hadoop.fs.FileSystem.getAllStatistics().stream()
                .mapToLong(org.apache.hadoop.fs.FileSystem.Statistics::getBytesRead).sum());
        return m;
    }

    private static Map<String, Object> metadata(TrainConfig config, TrainResult result, TrainingData data,
                                                Map<String, Object> sparkInfo) {
        InputShape shape = data.shape();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", config.model());
        model.put("kind", result.model().config().kind());   // multi-layer network or computation graph
        model.put("parameters", result.model().numParams());
        model.put("input", Map.of("rows", shape.height(), "cols", shape.width(), "channels", shape.channels()));
        model.put("classes", data.numClasses());
        if (data.classNames() != null) {
            model.put("class_names", data.classNames());   // label index -> the name in the data
        }
        model.put("format", "DL4J ModelSerializer zip with updater state");

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created", Instant.now().toString());
        metadata.put("config", config.asMap());
        metadata.put("model", model);
        metadata.put("data", data.fingerprint());
        metadata.put("spark", sparkInfo);
        metadata.put("nd4j_backend", Nd4j.getBackend().getClass().getName());
        metadata.put("libraries", BuildInfo.libraries(String.valueOf(sparkInfo.get("version"))));
        metadata.put("git_revision", BuildInfo.gitRevision());
        return metadata;
    }

    private static void writeJson(RunOutput output, String name, Map<String, Object> content) throws IOException {
        byte[] json = Json.write(content).getBytes(StandardCharsets.UTF_8);
        output.write(name, out -> out.write(json));
    }
}
