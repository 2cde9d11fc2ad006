package io.tributary.job.train;

import io.tributary.job.read.ExampleIdentity;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * How the replicas of parameter averaging visit their examples, as pure functions of the seed, the
 * epoch, the round and the replica: nothing here depends on executors, partitions or timing.
 * <ul>
 *   <li>An example belongs to replica {@link #replicaOf}(its identity) for the whole run.</li>
 *   <li>In each epoch a replica visits its examples (held in identity order) in the order
 *       {@link #order}(seed, epoch, replica), cut into minibatches of {@code batchSize}; the last may be
 *       smaller.</li>
 *   <li>Round {@code j} (0-based) of every epoch has each replica fit its minibatches
 *       {@code j * averagingFrequency} up to the next round's first; a replica with fewer minibatches than
 *       the others has none in the last rounds and sits them out. An epoch has {@link #rounds} rounds.</li>
 *   <li>A replica's random numbers in a round (dropout and the like) start from
 *       {@link #randomSeed}(seed, epoch, round, replica).</li>
 * </ul>
 *
 * @param examples the number of examples of each replica
 */
public record ReplicaPlan(int batchSize, int averagingFrequency, long seed, int[] examples) {
    /**
     * The version of these rules, recorded in checkpoints: a checkpoint written mid-epoch under other
     * rules would resume with other minibatches in the rounds still to come.
     */
    public static final int VERSION = 1;
    private static final long REPLICA_SALT = 0x2545F4914F6CDD1DL;
    private static final long ORDER_SALT = 0x3C6EF372FE94F82AL;
    private static final long RANDOM_SALT = 0x6A09E667F3BCC909L;

    public ReplicaPlan {
        examples = examples.clone();
    }

    @Override
    public int[] examples() {
        return examples.clone();
    }

    public int replicas() {
        return examples.length;
    }

    /** The replica (0..replicas-1) that trains the example with this identity. */
    public static int replicaOf(long identity, long seed, int replicas) {
        return (int) Long.remainderUnsigned(ExampleIdentity.mix(identity ^ ExampleIdentity.mix(seed ^ REPLICA_SALT)),
                replicas);
    }

    /** The minibatches replica {@code r} has in each epoch. */
    public int batches(int r) {
        return (examples[r] + batchSize - 1) / batchSize;
    }

    /** Rounds in each epoch: enough for the replica with the most minibatches (at least one). */
    public int rounds() {
        return Math.max(1, (steps() + averagingFrequency - 1) / averagingFrequency);
    }

    /**
     * The minibatch steps of an epoch: the most minibatches of any replica, which is what an epoch's
     * rounds advance the network's iteration count by (each round by its busiest replica's minibatches).
     */
    public int steps() {
        int most = 0;
        for (int r = 0; r < examples.length; r++) {
            most = Math.max(most, batches(r));
        }
        return most;
    }

    /** The first of replica {@code r}'s minibatches in round {@code round} (0-based). */
    public int firstBatch(int round) {
        return round * averagingFrequency;
    }

    /** How many minibatches replica {@code r} fits in round {@code round}: 0 when it sits the round out. */
    public int batchesIn(int round, int r) {
        return Math.max(0, Math.min(averagingFrequency, batches(r) - firstBatch(round)));
    }

    /** The examples all replicas fit in round {@code round}. */
    public long examplesIn(int round) {
        long n = 0;
        for (int r = 0; r < examples.length; r++) {
            int from = firstBatch(round) * batchSize;
            n += Math.max(0, Math.min(examples[r], from + averagingFrequency * batchSize) - from);
        }
        return n;
    }

    /** All examples, each fitted once an epoch. */
    public long totalExamples() {
        return Arrays.stream(examples).asLongStream().sum();
    }

    /**
     * The order in which replica {@code replica} visits its {@code n} examples in {@code epoch}: position
     * {@code i} of the epoch is the example at place {@code order[i]} of the replica's identity order.
     */
    public static int[] order(int n, long seed, int epoch, int replica) {
        Random rng = new Random(ExampleIdentity.mix(ExampleIdentity.mix(seed ^ ORDER_SALT) + epoch * 0x100000001L
                + replica));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The seed of replica {@code replica}'s random numbers in round {@code round} of {@code epoch}. */
    public static long randomSeed(long seed, int epoch, int round, int replica) {
        long h = ExampleIdentity.mix(seed ^ RANDOM_SALT);
        h = ExampleIdentity.mix(h + epoch);
        h = ExampleIdentity.mix(h + round);
        return ExampleIdentity.mix(h + replica);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicaPlan p && p.batchSize == batchSize && p.averagingFrequency == averagingFrequency
                && p.seed == seed && Arrays.equals(p.examples, examples);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batchSize, averagingFrequency, seed, Arrays.hashCode(examples));
    }

    @Override
    public String toString() {
        return "ReplicaPlan[batchSize=" + batchSize + ", averagingFrequency=" + averagingFrequency + ", seed=" + seed
                + ", examples=" + Arrays.toString(examples) + "]";
    }
}
