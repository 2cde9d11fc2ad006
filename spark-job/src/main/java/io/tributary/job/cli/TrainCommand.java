package io.tributary.job.cli;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.TrainConfig;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.tributary.common.config.TrainKeys.*;

/** {@code tributary train}: parse, build the config, run the job. Flags override the config file. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a model on MNIST-format IDX data and writes model.zip, metrics.json and metadata.json.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR_OR_URI", description = "Directory (local path or Hadoop URI) holding MNIST-format IDX files.")
    String data;
    @Option(names = "--output", paramLabel = "URI", description = "Run directory for model.zip, metrics.json, metadata.json.")
    String output;
    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default 1).")
    Integer epochs;
    @Option(names = "--model", paramLabel = "NAME", description = "Architecture from the model zoo (default seed-cnn).")
    String model;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--sync", paramLabel = "MODE", description = "How workers' updates are merged: param-avg (default).")
    String sync;
    @Option(names = "--batch-size-per-worker", paramLabel = "B", description = "Minibatch size on each worker (default 128).")
    Integer batchSizePerWorker;
    @Option(names = "--averaging-frequency", paramLabel = "K", description = "Minibatches between parameter averagings (default 5).")
    Integer averagingFrequency;
    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam learning rate (default 0.001).")
    Double learningRate;
    @Option(names = "--seed", paramLabel = "S", description = "Seed for initialisation, shuffling and splits (default 42).")
    Long seed;
    @Option(names = "--train-examples", paramLabel = "N", description = "Use only the first N training examples (default 0: all).")
    Integer trainExamples;
    @Option(names = "--test-examples", paramLabel = "N", description = "Use only the first N test examples (default 0: all).")
    Integer testExamples;
    @Option(names = "--threads-per-worker", paramLabel = "T", description = "ND4J threads per task (default 0: cores / concurrent tasks).")
    Integer threadsPerWorker;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with the same keys as these flags.")
    Path configFile;
    @Option(names = "--overwrite", description = "Replace the outputs of an existing output directory.")
    Boolean overwrite;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = ConfigLoader.load(configFile, flags());
        TrainResult result = new TrainJob(config, System.err, System.console() != null).run();
        System.out.println(String.format(Locale.ROOT,
                "Trained %s for %d epoch(s): test accuracy %.4f, %.0f examples/s, %.1f s wall. Wrote %s/model.zip",
                config.model(), result.epochs().size(), result.test().accuracy(), result.examplesPerSecond(),
                result.wallSeconds(), result.output()));
        return TributaryCli.EXIT_OK;
    }

    private Map<String, Object> flags() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(DATA.name(), data);
        m.put(OUTPUT.name(), output);
        m.put(EPOCHS.name(), epochs);
        m.put(MODEL.name(), model);
        m.put(MASTER.name(), master);
        m.put(SYNC.name(), sync);
        m.put(BATCH_SIZE_PER_WORKER.name(), batchSizePerWorker);
        m.put(AVERAGING_FREQUENCY.name(), averagingFrequency);
        m.put(LEARNING_RATE.name(), learningRate);
        m.put(SEED.name(), seed);
        m.put(OVERWRITE.name(), overwrite);
        m.put(TRAIN_EXAMPLES.name(), trainExamples);
        m.put(TEST_EXAMPLES.name(), testExamples);
        m.put(THREADS_PER_WORKER.name(), threadsPerWorker);
        return m;
    }
}
