package io.tributary.job.bench;

import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.IdxData;
import io.tributary.common.io.Json;
import io.tributary.common.metrics.ProcessMemory;
import io.tributary.job.train.EpochResult;
import io.tributary.job.train.TrainResult;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The throughput table: the peer (its lines from this sitting), single-process DL4J and Tributary at
 * each batch size, medians of the repeats, with ratios to the peer and to single-process DL4J and the
 * share of the machine's GEMM ceiling measured in the same process.
 */
public final class ThroughputBench {
    private static final Pattern PEER = Pattern.compile("batch=(\\d+).*examples_per_s=([0-9.]+) test_accuracy=([0-9.]+)");

    private final BenchOptions options;
    private final double gflops;
    private final double flopsPerExample;

    private ThroughputBench(BenchOptions options, double gflops, double flopsPerExample) {
        this.options = options;
        this.gflops = gflops;
        this.flopsPerExample = flopsPerExample;
    }

    /** Prints the table (and writes it as JSON when asked). */
    public static void run(BenchOptions options, IdxData train, IdxData test, int cores) throws Exception {
        double gflops = MachineCeiling.gemmGflops(cores);
        double flops = MachineCeiling.seedCnnTrainingFlops(train.rows(), train.cols(), train.numClasses());
        new ThroughputBench(options, gflops, flops).table(train, test, cores);
    }

    private void table(IdxData train, IdxData test, int cores) throws Exception {
        Map<Integer, List<Measured>> peer = readPeer();
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "machine: %d cores, ND4J float GEMM %.1f GFLOP/s; reference CNN %.2f MFLOP per"
                + " training example; %d training examples%n%n", cores, gflops, flopsPerExample / 1e6, train.count());
        System.out.println("| run | batch | examples/s | test acc | vs peer | vs single | % of GEMM ceiling | peak RSS MiB"
                + " | RSS per epoch MiB |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        try (TributaryRuns runs = new TributaryRuns(options)) {
            for (int batch : options.batchSizes()) {
                List<Measured> single = new ArrayList<>();
                List<Measured> trib = new ArrayList<>();
                List<String> rss = new ArrayList<>();
                for (int r = 0; r < options.repeats(); r++) {
                    SingleProcess.Run s = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                            SingleProcess.CONSTANT_RATE, TrainKeys.SEED.defaultValue(), cores);
                    single.add(new Measured(s.examplesPerSecond(), s.testAccuracy()));
                    TrainResult t = runs.train(flags(runs, batch, r));
                    EpochResult first = t.epochs().get(0);
                    trib.add(new Measured(first.examplesPerSecond(), first.testAccuracy()));
                    if (r == 0) {
                        rss = t.epochs().stream().map(e -> String.format(Locale.ROOT, "%.0f", e.driverRssMb())).toList();
                    }
                }
                Measured p = Measured.median(peer.getOrDefault(batch, List.of()));
                Measured s = Measured.median(single);
                Measured t = Measured.median(trib);
                rows.add(row("torch peer (2 threads)", batch, p, p, s, -1, List.of()));
                rows.add(row("DL4J single process", batch, s, p, s, -1, List.of()));
                rows.add(row("Tributary " + options.master() + " param-avg", batch, t, p, s, ProcessMemory.peakRssMb(),
                        rss));
            }
        }
        System.out.printf(Locale.ROOT, "%nmedians of %d runs; Tributary's first run trains 2 epochs to show RSS per"
                + " epoch; peak RSS is this JVM's (driver and local-mode tasks).%n", options.repeats());
        if (options.json() != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("gemm_gflops", gflops);
            out.put("training_flops_per_example", flopsPerExample);
            out.put("rows", rows);
            Files.writeString(options.json(), Json.write(out));
        }
    }

    /** The first repeat trains 2 epochs, to show memory from epoch to epoch; the others 1. */
    private Map<String, Object> flags(TributaryRuns runs, int batch, int repeat) {
        Map<String, Object> flags = runs.flags(batch, "b" + batch + "-r" + repeat, repeat == 0 ? 2 : 1);
        if (options.averagingFrequency() > 0) {
            flags.put(TrainKeys.AVERAGING_FREQUENCY.name(), options.averagingFrequency());
        }
        return flags;
    }

    /** Prints one table row of {@code m} (null: not run) and returns it for the JSON file. */
    private Map<String, Object> row(String name, int batch, Measured m, Measured peer, Measured single, double peakRss,
                                    List<String> rss) {
        double ratioPeer = peer != null && m != null ? m.examplesPerSecond() / peer.examplesPerSecond() : Double.NaN;
        double ratioSingle = m != null ? m.examplesPerSecond() / single.examplesPerSecond() : Double.NaN;
        double ceiling = m != null ? m.examplesPerSecond() * flopsPerExample / 1e9 / gflops : Double.NaN;
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", name, batch,
                m != null ? String.format(Locale.ROOT, "%.0f", m.examplesPerSecond()) : "not run",
                m != null ? String.format(Locale.ROOT, "%.4f", m.testAccuracy()) : "",
                Measured.format(ratioPeer, "%.2fx"), Measured.format(ratioSingle, "%.2fx"),
                Measured.format(ceiling * 100, "%.1f%%"),
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

    private Map<Integer, List<Measured>> readPeer() throws IOException {
        Map<Integer, List<Measured>> peer = new HashMap<>();
        if (options.peerFile() == null) return peer;
        for (String line : Files.readAllLines(options.peerFile())) {
            Matcher m = PEER.matcher(line);
            if (m.find()) {
                peer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>())
                        .add(new Measured(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))));
            }
        }
        return peer;
    }
}
