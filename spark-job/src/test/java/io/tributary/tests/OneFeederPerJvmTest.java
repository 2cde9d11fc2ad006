package io.tributary.tests;

import io.tributary.job.shared.OneFeederPerJvm;
import io.tributary.job.spark.SparkConfs;
import org.apache.spark.Dependency;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shared-gradients steps reach DL4J's training wrapper as one task per executor JVM, without a
 * shuffle, and never two at once in a JVM: the wrapper hangs when a task joins a training loop that
 * is ending.
 */
class OneFeederPerJvmTest {
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(SparkConfs.build("one-feeder-test", "local[4]"));
    }

    @AfterAll
    static void stop() {
        sc.stop();
        sc = null;
    }

    @Test
    void aStepIsOneTaskInLocalModeWithEveryBatchAndNoShuffle() {
        JavaRDD<Integer> batches = sc.parallelize(IntStream.range(0, 60).boxed().toList(), 12);
        JavaRDD<Integer> step = new OneFeederPerJvm().repartition(batches, 1, 4);
        assertEquals(1, step.getNumPartitions());
        assertFalse(hasShuffle(step.rdd()), step.toDebugString());
        List<Integer> fed = new ArrayList<>(step.collect());
        fed.sort(null);
        assertEquals(IntStream.range(0, 60).boxed().toList(), fed);
    }

    @Test
    void tasksOfOneJvmFeedOneAtATime() {
        // Eight partitions on four cores: without the permit, four tasks would overlap.
        JavaRDD<Integer> batches = sc.parallelize(IntStream.range(0, 8).boxed().toList(), 8);
        List<long[]> spans = batches.mapPartitions(new OneFeederPerJvm.OneAtATime<>(), true)
                .mapPartitions(new Feed(150)).collect().stream()
                .map(s -> new long[] {Long.parseLong(s.split(":")[0]), Long.parseLong(s.split(":")[1])})
                .sorted((a, b) -> Long.compare(a[0], b[0])).toList();
        assertEquals(8, spans.size());
        for (int i = 1; i < spans.size(); i++) {
            assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1],
                    "task " + i + " started " + (spans.get(i - 1)[1] - spans.get(i)[0]) / 1e6
                            + " ms before the one before it ended");
        }
    }

    @Test
    void aFailedTaskGivesThePermitBack() {
        JavaRDD<Integer> one = sc.parallelize(List.of(1), 1);
        SparkException failed = assertThrows(SparkException.class,
                () -> one.mapPartitions(new OneFeederPerJvm.OneAtATime<>(), true).mapPartitions(new Fail()).collect());
        assertTrue(failed.getMessage().contains("training failed"), failed.getMessage());
        List<String> after = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> one.mapPartitions(new OneFeederPerJvm.OneAtATime<>(), true).mapPartitions(new Feed(0)).collect());
        assertEquals(1, after.size());
    }

    @Test
    void aTaskInAJvmWhoseWrapperIsStuckFailsAtOnceNamingTheExecutor() throws Exception {
        // What DL4J leaves when a training task's set-up throws: the wrapper marked as having a trainer.
        AtomicBoolean trainerMark = trainerMark();
        JavaRDD<Integer> one = sc.parallelize(List.of(1), 1);
        trainerMark.set(true);
        try {
            SparkException failed = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                    SparkException.class, () -> one.mapPartitions(new OneFeederPerJvm.OneAtATime<>(), true)
                            .mapPartitions(new AwaitTrainer()).collect()));
            assertTrue(failed.getMessage().contains("The shared-gradients trainer of executor driver on ")
                    && failed.getMessage().contains(" is stuck"), failed.getMessage());
        } finally {
            trainerMark.set(false);
        }
        List<String> after = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> one.mapPartitions(new OneFeederPerJvm.OneAtATime<>(), true).mapPartitions(new Feed(0)).collect());
        assertEquals(1, after.size(), "the permit came back and a wrapper that is not stuck feeds");
    }

    /** DL4J's {@code SharedTrainingWrapper.INSTANCE.isFirst}: set while a trainer runs. */
    static AtomicBoolean trainerMark() throws ReflectiveOperationException {
        Field instance = SharedTrainingWrapper.class.getDeclaredField("INSTANCE");
        instance.setAccessible(true);
        Field isFirst = SharedTrainingWrapper.class.getDeclaredField("isFirst");
        isFirst.setAccessible(true);
        return (AtomicBoolean) isFirst.get(instance.get(null));
    }

    /**
     * Stands for a feeding task in DL4J's wrapper: with the trainer mark set it waits until the mark
     * clears, as {@code SharedTrainingWrapper.run} does, which never happens when the mark was left by a
     * failed set-up.
     */
    static final class AwaitTrainer implements FlatMapFunction<Iterator<Integer>, String> {
        @Override
        public Iterator<String> call(Iterator<Integer> batches) throws Exception {
            AtomicBoolean mark = trainerMark();
            while (mark.get()) {
                Thread.sleep(50);
            }
            return List.of("fed").iterator();
        }
    }

    static boolean hasShuffle(RDD<?> rdd) {
        scala.collection.Iterator<Dependency<?>> deps = rdd.dependencies().iterator();  // Iterator: another class of this name is also imported
        while (deps.hasNext()) {
            Dependency<?> d = deps.next();
            if (d instanceof ShuffleDependency || hasShuffle(d.rdd())) return true;
        }
        return false;
    }

    /** Stands for DL4J's feeding function: consumes the partition, trains for a while, reports when. */
    static final class Feed implements FlatMapFunction<Iterator<Integer>, String> {
        final long millis;

        Feed(long millis) {
            this.millis = millis;
        }

        @Override
        public Iterator<String> call(Iterator<Integer> batches) throws InterruptedException {
            long start = System.nanoTime();
            batches.forEachRemaining(b -> { });
            Thread.sleep(millis);
            return List.of(start + ":" + System.nanoTime()).iterator();
        }
    }

    static final class Fail implements FlatMapFunction<Iterator<Integer>, String> {
        @Override
        public Iterator<String> call(Iterator<Integer> batches) {
            throw new IllegalStateException("training failed");
        }
    }
}
