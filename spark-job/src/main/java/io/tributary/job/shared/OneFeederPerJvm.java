package io.tributary.job.shared;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.TaskCompletionListener;
import org.deeplearning4j.spark.api.Repartitioner;
import org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper;

import java.lang.reflect.Field;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a shared-gradients step's minibatches reach DL4J's training wrapper: where they are cached
 * (coalesced without a shuffle) into one task per executor JVM, and in each JVM one such task at a
 * time.
 *
 * <p>DL4J's wrapper ({@code SharedTrainingWrapper}) joins the tasks of a JVM into its one replica's
 * training loop: the first task trains and the others wait until their minibatches are consumed. A
 * task that joins just after the loop has drained the others waits forever (jstack: the task in
 * {@code BlockingObserver.waitTillDone}, the driver in {@code SharedTrainingMaster.processResults}).
 * DL4J's own repartitioner makes that likely: it shuffles each step into one partition per minibatch,
 * so a step is many short tasks and every core of an executor runs one. Here a step is one task per
 * JVM, and a task holds the JVM's {@link #FEEDING} permit from before it joins until it has ended, so
 * no task ever joins a loop that is ending; a second task for the same JVM (more partitions than
 * executors, or executors the driver has not seen yet) trains after the first, as its own loop.
 */
public final class OneFeederPerJvm implements Repartitioner {
    /** Held by the one task of this JVM that is feeding the shared-training wrapper. */
    static final Semaphore FEEDING = new Semaphore(1);

    @Override
    public <T> JavaRDD<T> repartition(JavaRDD<T> input, int minObjectsPerPartition, int numExecutors) {
        int jvms = executorJvms(input.context());
        JavaRDD<T> perJvm = input.getNumPartitions() > jvms ? input.coalesce(jvms) : input;
        return perJvm.mapPartitions(new OneAtATime<>(), true);
    }

    /** The executor JVMs training can use now: the one JVM in local mode, else every registered executor. */
    static int executorJvms(SparkContext sc) {
        if (sc.isLocal()) return 1;
        return Math.max(1, sc.statusTracker().getExecutorInfos().length - 1);   // the driver is listed too
    }

    /**
     * Passes a partition through once this task holds its JVM's {@link #FEEDING} permit, kept until the task
     * ends; fails at once when the JVM's wrapper is stuck ({@link #wrapperStuck}).
     */
    public static final class OneAtATime<T> implements FlatMapFunction<Iterator<T>, T> {
        @Override
        public Iterator<T> call(Iterator<T> batches) throws InterruptedException {
            FEEDING.acquire();   // interruptible: a cancelled step's waiting tasks end
            try {
                TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> FEEDING.release());
            } catch (RuntimeException | Error e) {
                FEEDING.release();
                throw e;
            }
            if (wrapperStuck()) {
                SparkEnv env = SparkEnv.get();
                throw new IllegalStateException("The shared-gradients trainer of executor " + env.executorId() + " on "
                        + env.blockManager().blockManagerId().host() + " is stuck: an earlier training task's set-up"
                        + " failed inside DL4J's SharedTrainingWrapper and left it marked as running, so this task"
                        + " would wait for it forever; restart that executor (or the Spark application) and train again");
            }
            return batches;
        }
    }

    /**
     * Whether this JVM's DL4J shared-training wrapper is marked as having a trainer running
     * ({@code SharedTrainingWrapper.isFirst}, read by reflection: DL4J offers no accessor). Called by a task
     * holding {@link #FEEDING}, when no trainer can be running, a set mark means a set-up that threw.
     */
    static boolean wrapperStuck() {
        try {
            Field instance = SharedTrainingWrapper.class.getDeclaredField("INSTANCE");
            instance.setAccessible(true);
            Object wrapper = instance.get(null);
            if (wrapper == null) {
                return false;
            }
            Field isFirst = SharedTrainingWrapper.class.getDeclaredField("isFirst");
            isFirst.setAccessible(true);
            return ((AtomicBoolean) isFirst.get(wrapper)).get();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's SharedTrainingWrapper has no INSTANCE.isFirst to check: a DL4J"
                    + " version Tributary was not built with", e);
        }
    }

    @Override
    public String toString() {
        return "OneFeederPerJvm";
    }
}
