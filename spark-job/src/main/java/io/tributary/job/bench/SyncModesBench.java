package io.tributary.job.bench;

import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.IdxData;
import io.tributary.common.io.Json;
import io.tributary.job.train.EpochResult;
import io.tributary.job.train.TrainResult;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sync-mode table: single-process DL4J, parameter averaging every 5 and every 20 batches, and
 * shared gradients, each after its first and its last epoch, all in this process.
 */
public final class SyncModesBench {
    private SyncModesBench() {
    }

    private record Mode(String name, SyncMode sync, int averagingFrequency) {
    }

    /** Prints the table (and writes it as JSON when asked). */
    public static void run(BenchOptions options, IdxData train, IdxData test, int cores) throws Exception {
        int batch = options.batchSizes().get(0);
        int epochs = options.epochs();
        System.out.printf(Locale.ROOT, "%d training examples, %d test examples, batch %d per worker, %s, %d cores%n%n",
                train.count(), test.count(), batch, options.master(), cores);
        System.out.println("| run | epochs | examples/s | test acc | training s | wall s | task results MiB/epoch |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        List<Map<String, Object>> rows = new ArrayList<>();
        long start = System.nanoTime();
        List<SingleProcess.Run> single = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                SingleProcess.CONSTANT_RATE, TrainKeys.SEED.defaultValue(), cores, epochs);
        double singleWall = (System.nanoTime() - start) / 1e9;
        for (int e : new int[] {1, epochs}) {
            SingleProcess.Run r = single.get(e - 1);
            rows.add(row("DL4J single process", e, r.examplesPerSecond(), r.testAccuracy(),
                    (double) train.count() * e / r.examplesPerSecond(), e == epochs ? singleWall : Double.NaN, -1));
        }
        try (TributaryRuns runs = new TributaryRuns(options)) {
            for (Mode mode : List.of(new Mode("param-avg, averaging every 5", SyncMode.PARAM_AVG, 5),
                    new Mode("param-avg, averaging every 20", SyncMode.PARAM_AVG, 20),
                    new Mode("shared-gradients", SyncMode.SHARED_GRADIENTS, 5))) {
                Map<String, Object> flags = runs.flags(batch, mode.sync().label() + mode.averagingFrequency(), epochs);
                flags.put(TrainKeys.SYNC.name(), mode.sync().label());
                flags.put(TrainKeys.AVERAGING_FREQUENCY.name(), mode.averagingFrequency());
                TrainResult t = runs.train(flags);
                for (int e : new int[] {1, epochs}) {
                    List<EpochResult> upTo = t.epochs().subList(0, e);
                    double seconds = upTo.stream().mapToDouble(EpochResult::seconds).sum();
                    long examples = upTo.stream().mapToLong(EpochResult::examples).sum();
                    double bytes = upTo.stream().mapToLong(EpochResult::taskResultBytes).average().orElse(0);
                    rows.add(row("Tributary " + mode.name(), e, examples / seconds, upTo.get(e - 1).testAccuracy(),
                            seconds, e == epochs ? t.wallSeconds() : Double.NaN, bytes));
                }
            }
        }
        if (options.json() != null) {
            Files.writeString(options.json(), Json.write(Map.of("rows", rows)));
        }
    }

    private static Map<String, Object> row(String name, int epochs, double rate, double accuracy, double trainSeconds,
                                           double wallSeconds, double resultBytes) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.4f | %.1f | %s | %s |%n", name, epochs, rate, accuracy,
                trainSeconds, Measured.format(wallSeconds, "%.1f"), resultBytes < 0 ? ""
                        : String.format(Locale.ROOT, "%.1f", resultBytes / (1 << 20)));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", name);
        r.put("epochs", epochs);
        r.put("examples_per_second", rate);
        r.put("test_accuracy", accuracy);
        r.put("train_seconds", trainSeconds);
        r.put("wall_seconds", Double.isNaN(wallSeconds) ? null : wallSeconds);
        r.put("task_result_bytes_per_epoch", resultBytes < 0 ? null : resultBytes);
        return r;
    }
}
