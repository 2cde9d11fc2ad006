package io.tributary.job.cli;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.MnistData;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.metrics.ProcessMemory;
import io.tributary.job.bench.MachineCeiling;
import io.tributary.job.bench.SingleProcess;
import io.tributary.job.train.EpochResult;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tributary bench}: single-process DL4J and Tributary in local mode, run in this process, side
 * by side with the peer's results from the same session (deploy/bench/run.sh runs the peer first).
 * Prints medians and ratios; not part of any test's pass/fail.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures training throughput against single-process DL4J and a peer; prints a table.")
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR_OR_URI",
            description = "MNIST-format IDX data (deploy/bench/run.sh gives Fashion-MNIST).")
    String data;
    @Option(names = "--batch-sizes", defaultValue = "32,128", split = ",", description = "Batch sizes per worker.")
    List<Integer> batchSizes;
    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each configuration; medians are reported.")
    int repeats;
    @Option(names = "--train-examples", defaultValue = "0", description = "Training examples (0: all).")
    int trainExamples;
    @Option(names = "--master", defaultValue = "local[2]", description = "Master for the Tributary runs.")
    String master;
    @Option(names = "--averaging-frequency", defaultValue = "0",
            description = "Averaging frequency of the Tributary runs; 0 (default): train's default for the batch size.")
    int averagingFrequency;
    @Option(names = "--peer", description = "File with torch_peer.py output lines from this session.")
    Path peerFile;
    @Option(names = "--json", description = "Also write the results as JSON here.")
    Path json;
    @Option(names = "--sync-modes", description = "Instead: compare single-process DL4J, parameter averaging (every 5"
            + " and 20 batches) and shared gradients over --epochs epochs at the first batch size.")
    boolean syncModes;
    @Option(names = "--time-to-accuracy", split = ",", paramLabel = "ACCURACY",
            description = "Instead: train single-process DL4J at each batch size until the held-out accuracy reaches"
                    + " the highest of these targets (or --epochs ends) and print each epoch's training seconds and"
                    + " accuracy (deploy/bench/run.sh --time-to-accuracy runs it next to Tributary and the peer).")
    List<Double> targets;
    @Option(names = "--epochs", defaultValue = "3", description = "Epochs of the --sync-modes runs; at most this many"
            + " in --time-to-accuracy.")
    int epochs;
    @Option(names = "--learning-rate", defaultValue = "0", description = "Adam's learning rate for single-process"
            + " DL4J; 0 (default): train's default.")
    double learningRate;

    private static final Pattern PEER = Pattern.compile("batch=(\\d+).*examples_per_s=([0-9.]+) test_accuracy=([0-9.]+)");

    /** One run's throughput and held-out accuracy (or their medians over runs). */
    record Measured(double examplesPerSecond, double testAccuracy) {
        /** The medians of each field over {@code runs}, or {@code null} for none. */
        static Measured median(List<Measured> runs) {
            if (runs.isEmpty()) return null;
            double[] rate = runs.stream().mapToDouble(Measured::examplesPerSecond).sorted().toArray();
            double[] acc = runs.stream().mapToDouble(Measured::testAccuracy).sorted().toArray();
            return new Measured(rate[rate.length / 2], acc[acc.length / 2]);
        }
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = HadoopFs.bounded(new Configuration());
        MnistDirectory dir = new MnistDirectory(HadoopFs.resolve("data", data, conf));
        MnistData train = dir.read(MnistDirectory.Split.TRAIN, trainExamples);
        MnistData test = dir.read(MnistDirectory.Split.TEST);
        int cores = Runtime.getRuntime().availableProcessors();
        double gflops = MachineCeiling.gemmGflops(cores);
        double flopsPerExample = MachineCeiling.seedCnnTrainingFlops(train.rows(), train.cols(), train.numClasses());
        Path scratch = Files.createTempDirectory("tributary-bench");
        try {
            if (targets != null) return timeToAccuracy(train, test, cores);
            return syncModes ? syncModes(train, test, cores, scratch)
                    : throughput(train, test, cores, gflops, flopsPerExample, scratch);
        } finally {
            try {
                deleteRecursively(scratch);
            } catch (java.io.IOException e) {
                System.err.println("tributary: could not delete the scratch directory " + scratch + ": " + e);
            }
        }
    }

    /** One table: the peer, single-process DL4J and Tributary at each batch size, medians of the repeats. */
    private int throughput(MnistData train, MnistData test, int cores, double gflops, double flopsPerExample,
                           Path scratch) throws Exception {
        Map<Integer, List<Measured>> peer = readPeer();

        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "machine: %d cores, ND4J float GEMM %.1f GFLOP/s; reference CNN %.2f MFLOP per training example; %d training examples%n%n",
                cores, gflops, flopsPerExample / 1e6, train.count());
        System.out.println("| run | batch | examples/s | test acc | vs peer | vs single | % of GEMM ceiling | peak RSS MiB | RSS per epoch MiB |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int batch : batchSizes) {
            List<Measured> single = new ArrayList<>();
            List<Measured> trib = new ArrayList<>();
            List<String> rss = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                SingleProcess.Run s = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                        TrainKeys.LEARNING_RATE.defaultValue(), TrainKeys.SEED.defaultValue(), cores);
                single.add(new Measured(s.examplesPerSecond(), s.testAccuracy()));
                TrainResult t = tributary(batch, scratch.resolve("b" + batch + "-r" + r), r == 0 ? 2 : 1);
                EpochResult first = t.epochs().get(0);
                trib.add(new Measured(first.examplesPerSecond(), first.testAccuracy()));
                if (r == 0) {
                    rss = t.epochs().stream().map(e -> String.format(Locale.ROOT, "%.0f", e.driverRssMb())).toList();
                }
            }
            Measured p = Measured.median(peer.getOrDefault(batch, List.of()));
            Measured s = Measured.median(single);
            Measured t = Measured.median(trib);
            rows.add(row("torch peer (2 threads)", batch, p, p, s, gflops, flopsPerExample, -1, List.of()));
            rows.add(row("DL4J single process", batch, s, p, s, gflops, flopsPerExample, -1, List.of()));
            rows.add(row("Tributary " + master + " param-avg", batch, t, p, s, gflops, flopsPerExample,
                    ProcessMemory.peakRssMb(), rss));
        }
        System.out.printf(Locale.ROOT, "%nmedians of %d runs; Tributary's first run trains 2 epochs to show RSS per epoch; "
                + "peak RSS is this JVM's (driver and local-mode tasks).%n", repeats);
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("gemm_gflops", gflops);
            out.put("training_flops_per_example", flopsPerExample);
            out.put("rows", rows);
            Files.writeString(json, Json.write(out));
        }
        return TributaryCli.EXIT_OK;
    }

    /**
     * Single-process DL4J's side of the time-to-accuracy table: one line per epoch and run with the training
     * seconds so far (evaluation excluded) and the held-out accuracy; the script makes the table.
     */
    private int timeToAccuracy(MnistData train, MnistData test, int cores) {
        double highest = targets.stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
        double rate = learningRate > 0 ? learningRate : TrainKeys.LEARNING_RATE.defaultValue();
        for (int batch : batchSizes) {
            for (int r = 1; r <= repeats; r++) {
                List<SingleProcess.Run> runs = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                        rate, TrainKeys.SEED.defaultValue(), cores, epochs, accuracy -> accuracy >= highest);
                for (int e = 0; e < runs.size(); e++) {
                    System.out.printf(Locale.ROOT, "time-to-accuracy run=single batch=%d learning_rate=%s repeat=%d"
                            + " epoch=%d seconds=%.2f test_accuracy=%.4f%n", batch, rate, r, e + 1,
                            runs.get(e).seconds(), runs.get(e).testAccuracy());
                }
            }
        }
        return TributaryCli.EXIT_OK;
    }

    /** One table: each mode after the first and after the last epoch, all runs in this process. */
    private int syncModes(MnistData train, MnistData test, int cores, Path scratch) throws Exception {
        int batch = batchSizes.get(0);
        System.out.printf(Locale.ROOT, "%d training examples, %d test examples, batch %d per worker, %s, %d cores%n%n",
                train.count(), test.count(), batch, master, cores);
        System.out.println("| run | epochs | examples/s | test acc | training s | wall s | task results MiB/epoch |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        List<Map<String, Object>> rows = new ArrayList<>();
        long start = System.nanoTime();
        List<SingleProcess.Run> single = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                TrainKeys.LEARNING_RATE.defaultValue(), TrainKeys.SEED.defaultValue(), cores, epochs);
        double singleWall = (System.nanoTime() - start) / 1e9;
        for (int e : new int[] {1, epochs}) {
            SingleProcess.Run r = single.get(e - 1);
            rows.add(syncRow("DL4J single process", e, r.examplesPerSecond(), r.testAccuracy(),
                    (double) train.count() * e / r.examplesPerSecond(), e == epochs ? singleWall : Double.NaN, -1));
        }
        record Mode(String name, SyncMode sync, int averagingFrequency) {
        }
        for (Mode mode : List.of(new Mode("param-avg, averaging every 5", SyncMode.PARAM_AVG, 5),
                new Mode("param-avg, averaging every 20", SyncMode.PARAM_AVG, 20),
                new Mode("shared-gradients", SyncMode.SHARED_GRADIENTS, 5))) {
            Map<String, Object> flags = flags(batch, scratch.resolve(mode.sync().label() + mode.averagingFrequency()),
                    epochs);
            flags.put(TrainKeys.SYNC.name(), mode.sync().label());
            flags.put(TrainKeys.AVERAGING_FREQUENCY.name(), mode.averagingFrequency());
            TrainResult t = new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()),
                    false).run();
            for (int e : new int[] {1, epochs}) {
                List<EpochResult> upTo = t.epochs().subList(0, e);
                double seconds = upTo.stream().mapToDouble(EpochResult::seconds).sum();
                long examples = upTo.stream().mapToLong(EpochResult::examples).sum();
                double bytes = upTo.stream().mapToLong(EpochResult::taskResultBytes).average().orElse(0);
                rows.add(syncRow("Tributary " + mode.name(), e, examples / seconds, upTo.get(e - 1).testAccuracy(),
                        seconds, e == epochs ? t.wallSeconds() : Double.NaN, bytes));
            }
        }
        if (json != null) {
            Files.writeString(json, Json.write(Map.of("rows", rows)));
        }
        return TributaryCli.EXIT_OK;
    }

    private static Map<String, Object> syncRow(String name, int epochs, double rate, double accuracy, double trainSeconds,
                                               double wallSeconds, double resultBytes) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.4f | %.1f | %s | %s |%n", name, epochs, rate, accuracy,
                trainSeconds, fmt(wallSeconds, "%.1f"), resultBytes < 0 ? "" : String.format(Locale.ROOT, "%.1f",
                        resultBytes / (1 << 20)));
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

    private Map<String, Object> flags(int batch, Path out, int epochs) {
        Map<String, Object> flags = new HashMap<>();
        flags.put(TrainKeys.DATA.name(), data);
        flags.put(TrainKeys.OUTPUT.name(), out.toString());
        flags.put(TrainKeys.MASTER.name(), master);
        flags.put(TrainKeys.EPOCHS.name(), epochs);
        flags.put(TrainKeys.BATCH_SIZE_PER_WORKER.name(), batch);
        flags.put(TrainKeys.TRAIN_EXAMPLES.name(), trainExamples);
        return flags;
    }

    private TrainResult tributary(int batch, Path out, int epochs) throws Exception {
        Map<String, Object> flags = flags(batch, out, epochs);
        if (averagingFrequency > 0) flags.put(TrainKeys.AVERAGING_FREQUENCY.name(), averagingFrequency);
        TrainConfig config = ConfigLoader.load(null, flags);
        return new TrainJob(config, new PrintStream(new ByteArrayOutputStream()), false).run();
    }

    /** Prints one table row of {@code m} (null: not run) and returns it for the JSON file. */
    private Map<String, Object> row(String name, int batch, Measured m, Measured peer, Measured single, double gflops,
                                    double flops, double peakRss, List<String> rss) {
        double ratioPeer = peer != null && m != null ? m.examplesPerSecond() / peer.examplesPerSecond() : Double.NaN;
        double ratioSingle = m != null ? m.examplesPerSecond() / single.examplesPerSecond() : Double.NaN;
        double ceiling = m != null ? m.examplesPerSecond() * flops / 1e9 / gflops : Double.NaN;
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", name, batch,
                m != null ? String.format(Locale.ROOT, "%.0f", m.examplesPerSecond()) : "not run",
                m != null ? String.format(Locale.ROOT, "%.4f", m.testAccuracy()) : "",
                fmt(ratioPeer, "%.2fx"), fmt(ratioSingle, "%.2fx"), fmt(ceiling * 100, "%.1f%%"),
                peakRss > 0 ? String.format(Locale.ROOT, "%.0f", peakRss) : "", String.join(" / ", rss));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", name);
        r.put("batch", batch);
        r.put("examples_per_second", m != null ? m.examplesPerSecond() : null);
        r.put("test_accuracy", m != null ? m.testAccuracy() : null);
        r.put("ratio_to_peer", Double.isNaN(ratioPeer) ? null : ratioPeer);
        r.put("ratio_to_single_process", Double.isNaN(ratioSingle) ? null : ratioSingle);
        r.put("fraction_of_gemm_ceiling", Double.isNaN(ceiling) ? null : ceiling);
        return r;
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, f, v);
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Map<Integer, List<Measured>> readPeer() throws Exception {
        Map<Integer, List<Measured>> peer = new HashMap<>();
        if (peerFile == null) return peer;
        for (String line : Files.readAllLines(peerFile)) {
            Matcher m = PEER.matcher(line);
            if (m.find()) {
                peer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>())
                        .add(new Measured(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))));
            }
        }
        return peer;
    }
}
