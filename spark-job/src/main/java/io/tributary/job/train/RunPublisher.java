package io.tributary.job.train;

import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.io.Json;
import io.tributary.common.io.RunOutput;
import io.tributary.common.metrics.ClassificationReport;
import io.tributary.common.metrics.ProcessMemory;
import io.tributary.common.run.RunMetadata;
import io.tributary.common.run.RunMetrics;
import io.tributary.common.store.ModelStore;
import io.tributary.job.report.RunReport;
import org.apache.hadoop.fs.FileSystem;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
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
        Map<String, Object> metrics = metrics(result, data).toMap();
        Map<String, Object> metadata = metadata(config, result, data, sparkInfo).toMap();
        writeJson(output, RunMetrics.FILE, metrics);
        writeJson(output, RunMetadata.FILE, metadata);
        for (Map.Entry<String, Map<String, Object>> extra : extraFiles.entrySet()) {
            writeJson(output, extra.getKey(), extra.getValue());
        }
        output.write(RunReport.FILE, out -> out.write(RunReport.bytes(metrics, metadata)));
        output.write(ModelStore.MODEL_FILE, out -> ModelStore.write(result.model(), out));
    }

    private static RunMetrics metrics(TrainResult result, TrainingData data) {
        Map<String, Object> confusion = new LinkedHashMap<>();
        ClassificationReport.putConfusion(confusion, result.test().report().confusion());
        return new RunMetrics(result.test().accuracy(), result.epochs().get(result.epochs().size() - 1).trainLoss(),
                result.examplesPerSecond(), result.trainSeconds(), result.wallSeconds(),
                result.epochs().stream().map(EpochResult::toMap).toList(), result.test().toMap(), confusion,
                result.footprint().secondsToFirstStep(), result.footprint().cachedBatchBytes() / (double) (1 << 20),
                driver(), data.skipped().value());
    }

    /**
     * The driver's JVM over the run (in local mode it holds the executors too): peak resident memory,
     * peak heap (the sum of the heap pools' peaks, an upper bound) and maximum heap in MiB, and the
     * bytes it read through Hadoop filesystems (listings' metadata aside: headers, schemas, model
     * files; in local mode also the executors' reads).
     */
    @SuppressWarnings("deprecation")   // FileSystem.getAllStatistics: the per-scheme totals of this JVM
    private static RunMetrics.Driver driver() {
        double peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (double) (1 << 20);
        long bytesRead = FileSystem.getAllStatistics().stream().mapToLong(FileSystem.Statistics::getBytesRead).sum();
        return new RunMetrics.Driver(ProcessMemory.peakRssMb(), peakHeap, Runtime.getRuntime().maxMemory()
                / (double) (1 << 20), bytesRead);
    }

    private static RunMetadata metadata(TrainConfig config, TrainResult result, TrainingData data,
                                        Map<String, Object> sparkInfo) {
        InputShape shape = data.shape();
        RunMetadata.Model model = new RunMetadata.Model(config.model(), result.model().config().kind(),
                result.model().numParams(), new RunMetadata.Input(shape.height(), shape.width(), shape.channels()),
                data.numClasses(), data.classNames(), "DL4J ModelSerializer zip with updater state");
        return new RunMetadata(Instant.now().toString(), config.asMap(), model, data.fingerprint(), sparkInfo,
                Nd4j.getBackend().getClass().getName(), BuildInfo.libraries(String.valueOf(sparkInfo.get("version"))),
                BuildInfo.gitRevision());
    }

    private static void writeJson(RunOutput output, String name, Map<String, Object> content) throws IOException {
        byte[] json = Json.write(content).getBytes(StandardCharsets.UTF_8);
        output.write(name, out -> out.write(json));
    }
}
