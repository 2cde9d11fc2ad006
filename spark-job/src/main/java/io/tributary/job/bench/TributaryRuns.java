package io.tributary.job.bench;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.TrainKeys;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Tributary's training runs of a benchmark: {@code tributary train} in this process, quietly, into a scratch directory. */
final class TributaryRuns implements AutoCloseable {
    private final BenchOptions options;
    private final Path scratch;

    TributaryRuns(BenchOptions options) throws IOException {
        this.options = options;
        this.scratch = Files.createTempDirectory("tributary-bench");
    }

    /** The training flags of a run at {@code batch} for {@code epochs} epochs into {@code name}. */
    Map<String, Object> flags(int batch, String name, int epochs) {
        Map<String, Object> flags = new HashMap<>();
        flags.put(TrainKeys.DATA.name(), options.data());
        flags.put(TrainKeys.OUTPUT.name(), scratch.resolve(name).toString());
        flags.put(TrainKeys.MASTER.name(), options.master());
        flags.put(TrainKeys.EPOCHS.name(), epochs);
        flags.put(TrainKeys.BATCH_SIZE_PER_WORKER.name(), batch);
        flags.put(TrainKeys.TRAIN_EXAMPLES.name(), options.trainExamples());
        return flags;
    }

    /** Trains with {@code flags}. */
    TrainResult train(Map<String, Object> flags) throws Exception {
        return new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()), false).run();
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(scratch)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("tributary: could not delete the scratch directory " + scratch + ": " + e);
        }
    }
}
