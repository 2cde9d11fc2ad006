package io.tributary.job.shared;

import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.TaskCompletionListener;
import org.deeplearning4j.spark.api.Repartitioner;

import java.util.Iterator;
import java.util.concurrent.Semaphore;

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

    /** Passes a partition through once this task holds its JVM's {@link #FEEDING} permit, kept until the task ends. */
    public static final class OneAtATime<T> implements FlatMapFunction<Iterator<T>, T> {
        @Override
        public Iterator<T> call(Iterator<T> batches) throws InterruptedException {
            FEEDING.acquire();   // interruptible: a cancelled step's waiting tasks end
            TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> FEEDING.release());
            return batches;
        }
    }

    @Override
    public String toString() {
        return "OneFeederPerJvm";
    }
}
