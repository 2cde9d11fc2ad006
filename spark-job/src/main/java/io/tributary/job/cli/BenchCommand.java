package io.tributary.job.cli;

import io.tributary.common.data.IdxData;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.bench.BenchOptions;
import io.tributary.job.bench.SingleProcessTimeToAccuracy;
import io.tributary.job.bench.SyncModesBench;
import io.tributary.job.bench.ThroughputBench;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tributary bench}: the benchmarks of {@link io.tributary.job.bench} (throughput, sync modes,
 * single-process time to accuracy), run in this process side by side with the peer's results from the
 * same sitting (deploy/bench/run.sh runs the peer first). Prints medians and ratios; not part of any
 * test's pass/fail.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures training throughput against single-process DL4J and a peer; prints a table.")
public final class BenchCommand implements Callable<Integer> {
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
            + " DL4J; 0 (default): 3e-3, the best constant rate.")
    double learningRate;

    @Override
    public Integer call() throws Exception {
        Configuration conf = HadoopFs.bounded(new Configuration());
        IdxDirectory dir = new IdxDirectory(HadoopFs.resolve("data", data, conf));
        IdxData train = dir.read(IdxDirectory.Split.TRAIN, trainExamples);
        IdxData test = dir.read(IdxDirectory.Split.TEST);
        int cores = Runtime.getRuntime().availableProcessors();
        BenchOptions options = new BenchOptions(data, batchSizes, repeats, trainExamples, master, averagingFrequency,
                peerFile, json, epochs, learningRate, targets);
        if (targets != null) {
            SingleProcessTimeToAccuracy.run(options, train, test, cores);
        } else if (syncModes) {
            SyncModesBench.run(options, train, test, cores);
        } else {
            ThroughputBench.run(options, train, test, cores);
        }
        return TributaryCli.EXIT_OK;
    }
}
