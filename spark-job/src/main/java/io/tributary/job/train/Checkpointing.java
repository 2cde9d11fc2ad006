package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.model.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When to checkpoint (every N steps, every M minutes, every epoch end) and what a checkpoint holds
 * besides the model: the training position, how the sync engine cut its steps, the epochs' results so
 * far and the config. Also the way back: {@link #resume} checks a checkpoint fits this run and restores
 * it into a new network.
 */
public final class Checkpointing implements Trainer.Checkpointer {
    private static final String STEPS_DONE = "steps_done";
    /** What checkpoints of earlier releases call these (they are resumed too). */
    private static final Map<String, String> FORMER_NAMES = Map.of(STEPS_DONE, "segments_done");
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
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("created", Instant.now().toString());
        state.put("epoch", position.epoch());
        state.put(STEPS_DONE, position.stepsDone());
        state.put("seen", position.seen());
        state.put("loss_sum", position.lossSum());
        state.put("seconds", position.seconds());
        state.putAll(engine.layout());
        state.put("iterations", net.iterationCount());
        state.put("epochs", position.done().stream().map(EpochResult::toMap).toList());
        state.put("config", config.asMap());
        store.write(net, position.epoch(), position.stepsDone(), state, config.checkpointsKept());
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
    @SuppressWarnings("unchecked")
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
        Map<String, Object> state = checkpoint.state();
        engine.requireLayout(checkpoint.name(), state, number(checkpoint, STEPS_DONE).intValue() > 0);
        try {
            saved.copyStateTo(net);
        } catch (RuntimeException e) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint.name() + ": its updater state does"
                    + " not fit this config's updaters (" + e.getMessage() + "); the model's configuration must not change", e);
        }
        List<EpochResult> done = new ArrayList<>();
        for (Object e : (List<Object>) state.get("epochs")) {
            done.add(EpochResult.fromMap((Map<String, Object>) e));
        }
        return new Trainer.Position(number(checkpoint, "epoch").intValue(), number(checkpoint, STEPS_DONE).intValue(),
                number(checkpoint, "seen").longValue(), number(checkpoint, "loss_sum").doubleValue(),
                number(checkpoint, "seconds").doubleValue(), done);
    }

    /** The epoch a run continues with from a checkpoint whose state is {@code state}: past the last, the run is complete. */
    public static int nextEpoch(String checkpoint, Map<String, Object> state) {
        return number(checkpoint, state, "epoch").intValue();
    }

    private static Number number(CheckpointStore.Loaded checkpoint, String key) {
        return number(checkpoint.name(), checkpoint.state(), key);
    }

    private static Number number(String checkpoint, Map<String, Object> state, String key) {
        Object value = state.containsKey(key) ? state.get(key) : state.get(FORMER_NAMES.getOrDefault(key, key));
        if (!(value instanceof Number n)) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint + ": its state has no number "
                    + key + " (" + value + "); it was not written by Tributary");
        }
        return n;
    }
}
