package io.tributary.job.train;

import java.io.Serializable;

/**
 * What one replica's round produced: its parameters and updater state after fitting its minibatches
 * (none when it sat the round out), how many it fitted and the sum of their losses, and the seconds the
 * task ran and spent fitting ({@link RoundTimes}). A task result, so a plain final class registered with Kryo.
 */
public final class ReplicaResult implements Serializable {
    final int replica;
    final int batches;
    final double lossSum;
    final float[] params;
    final float[] updater;
    final double taskSeconds;
    final double fitSeconds;

    ReplicaResult(int replica, int batches, double lossSum, float[] params, float[] updater, double taskSeconds,
                  double fitSeconds) {
        this.replica = replica;
        this.batches = batches;
        this.lossSum = lossSum;
        this.params = params;
        this.updater = updater;
        this.taskSeconds = taskSeconds;
        this.fitSeconds = fitSeconds;
    }

    /** The result of a replica that had no minibatch in the round. */
    static ReplicaResult satOut(int replica) {
        return new ReplicaResult(replica, 0, 0, null, null, 0, 0);
    }
}
