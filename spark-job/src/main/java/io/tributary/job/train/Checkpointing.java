package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.model.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * When to checkpoint (every N steps, every M minutes, every epoch end) and what a checkpoint holds
 * besides the model: the training position, how the sync engine cut its steps, the epochs' results so
 * far and the config. Also the way back: {@link #resume} checks a checkpoint fits this run and restores
 * it into a new network.
 */
public final class Checkpointing implements Trainer.Checkpointer {
    private final CheckpointStore store;
    private final TrainConfig config;
    private final SyncEngine engine;
    private int stepsSinceLast;
    private long lastNanos = System.nanoTime();

    /** @param config the run's config, as a resume will read it back (replicas resolved) */
    Checkpointing(CheckpointStore store, TrainConfig config, SyncEngine engine) {
        this.store = store;
        this.config = config;
        this.engine = engine;
    }

    @Override
    public void after(Trainer.Position position, boolean epochEnded) throws Exception {
        stepsSinceLast++;
        boolean bySteps = config.checkpointEverySteps() > 0 && stepsSinceLast >= config.checkpointEverySteps();
        boolean byTime = config.checkpointEveryMinutes() > 0
                && System.nanoTime() - lastNanos >= config.checkpointEveryMinutes() * 60_000_000_000L;
        if (!(epochEnded || bySteps || byTime)) {
            return;
        }
        Network net = engine.network();
        CheckpointState state = new CheckpointState(Instant.now().toString(), position, engine.layout(),
                net.iterationCount(), config.asMap());
        store.write(net, state, config.checkpointsKept());
        stepsSinceLast = 0;
        lastNanos = System.nanoTime();
    }

    /**
     * Puts the checkpoint's parameters, updater state and counters into {@code net} (built from this
     * run's config, and trained by {@code engine}) and returns where training continues. Refuses a
     * checkpoint whose parameters have other shapes, or whose steps the engine cut differently (another
     * batch size, averaging frequency, number of replicas or workers), since the position would not mean
     * the same examples.
     */
    static Trainer.Position resume(CheckpointStore.Loaded checkpoint, Network net, SyncEngine engine) {
        // Checkpoints hold DL4J's standard layers; compared and copied in the form the run trains.
        Network saved = checkpoint.network().forBackend();
        Map<String, INDArray> ours = net.paramTable();
        Map<String, INDArray> theirs = saved.paramTable();
        if (!ours.keySet().equals(theirs.keySet())) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint.name() + ": this config builds a"
                    + " model with parameters " + ours.keySet() + ", the checkpoint has " + theirs.keySet());
        }
        for (Map.Entry<String, INDArray> p : ours.entrySet()) {
            long[] a = p.getValue().shape();
            long[] b = theirs.get(p.getKey()).shape();
            if (!Arrays.equals(a, b)) {
                throw new InputException("Cannot resume from checkpoint " + checkpoint.name() + ": parameter "
                        + p.getKey() + " has shape " + Arrays.toString(b) + " there but "
                        + Arrays.toString(a) + " with this config; the model's shape must not change");
            }
        }
        Trainer.Position position = checkpoint.state().position();
        engine.requireLayout(checkpoint.name(), checkpoint.state().layout(), position.stepsDone() > 0);
        try {
            saved.copyStateTo(net);
        } catch (RuntimeException e) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint.name() + ": its updater state does"
                    + " not fit this config's updaters (" + e.getMessage() + "); the model's configuration must not change", e);
        }
        return position;
    }
}
