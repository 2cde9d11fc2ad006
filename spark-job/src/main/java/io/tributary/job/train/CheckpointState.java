package io.tributary.job.train;

import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint's {@code .json}: when it was written, the training position (epoch, steps done in it,
 * examples seen, loss so far, seconds, the finished epochs' results), how the sync engine cut its
 * steps ({@link SyncEngine#layout}, whose fields sit beside the others), the network's iteration count
 * and the run's config (what a resumed run starts from).
 *
 * @param layout     the sync engine's fields, as {@link SyncEngine#requireLayout} reads them
 * @param iterations the network's iteration count, or -1 in files that lack it
 */
public record CheckpointState(String created, Trainer.Position position, Map<String, Object> layout,
                              long iterations, Map<String, Object> config) {
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;
    private static final String STEPS_DONE = "steps_done";
    /** What checkpoints of earlier releases call {@value #STEPS_DONE} (they are resumed too). */
    private static final String FORMER_STEPS_DONE = "segments_done";
    private static final Set<String> OWN_FIELDS = Set.of(JsonFields.SCHEMA_VERSION, "created", "epoch", STEPS_DONE,
            FORMER_STEPS_DONE, "seen", "loss_sum", "seconds", "iterations", "epochs", "config");

    public CheckpointState {
        layout = Collections.unmodifiableMap(new LinkedHashMap<>(layout));
    }

    /** The file's content, with {@code schema_version} first and the field names of every version. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("created", created);
        m.put("epoch", position.epoch());
        m.put(STEPS_DONE, position.stepsDone());
        m.put("seen", position.seen());
        m.put("loss_sum", position.lossSum());
        m.put("seconds", position.seconds());
        m.putAll(layout);
        m.put("iterations", iterations);
        m.put("epochs", position.done().stream().map(EpochResult::toMap).toList());
        m.put("config", config);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static CheckpointState from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        long stepsDone = f.has(STEPS_DONE) || !f.has(FORMER_STEPS_DONE) ? f.requiredWhole(STEPS_DONE)
                : f.requiredWhole(FORMER_STEPS_DONE);
        f.require("epochs");
        List<EpochResult> done = new ArrayList<>();
        List<Map<String, Object>> epochs = f.objects("epochs");
        for (int i = 0; i < epochs.size(); i++) {
            done.add(EpochResult.from(new JsonFields(epochs.get(i), f.where() + ", entry " + (i + 1) + " of \"epochs\",")));
        }
        Trainer.Position position = new Trainer.Position((int) f.requiredWhole("epoch"), (int) stepsDone,
                f.requiredWhole("seen"), f.requiredNumber("loss_sum"), f.requiredNumber("seconds"), done);
        Map<String, Object> layout = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : f.asMap().entrySet()) {
            if (!OWN_FIELDS.contains(e.getKey()) && e.getValue() != null) layout.put(e.getKey(), e.getValue());
        }
        Long iterations = f.whole("iterations");
        f.require("config");
        return new CheckpointState(f.string("created"), position, layout, iterations == null ? -1 : iterations,
                f.object("config"));
    }

    /** Reads a checkpoint's {@code .json}; {@code where} names it in messages. */
    public static CheckpointState read(byte[] json, String where) throws IOException {
        return from(new JsonFields(Json.readMap(json), "Checkpoint state " + where));
    }
}
