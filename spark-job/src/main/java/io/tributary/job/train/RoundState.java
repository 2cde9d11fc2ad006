package io.tributary.job.train;

import io.tributary.common.model.Network;

import java.io.Serializable;

/**
 * What every replica starts a round from, broadcast once a round: the averaged parameters and updater
 * state, and the network's counters (Adam's bias correction reads the iteration count). A plain final
 * class with arrays, which Spark's Kryo 4 can serialize.
 */
public final class RoundState implements Serializable {
    final float[] params;
    final float[] updater;
    final int iterations;
    final int epochs;

    RoundState(float[] params, float[] updater, int iterations, int epochs) {
        this.params = params;
        this.updater = updater;
        this.iterations = iterations;
        this.epochs = epochs;
    }

    /** The bytes of the arrays, as floats. */
    long bytes() {
        return 4L * (params.length + (updater == null ? 0 : updater.length));
    }

    /** The state of {@code net} (its updater state {@code null} when its updaters keep none), before epoch {@code epoch}'s rounds. */
    static RoundState of(Network net, int epoch) {
        return new RoundState(net.params().toFloatVector(),
                net.updaterState() == null ? null : net.updaterState().toFloatVector(), net.iterationCount(), epoch - 1);
    }
}
