package io.tributary.job.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark start that failed on Spark 3.5's YARN UI-filter race is started once more; any other failed
 * start is not. The race itself needs a YARN application master's message to land within a few
 * milliseconds of the UI's start; here a listener that Spark builds inside its context's constructor
 * throws Jetty's error in its place.
 */
class SparkContextsTest {
    static final AtomicInteger BUILT = new AtomicInteger();
    static volatile String failWith;
    static volatile int failures;

    /** Fails the context's start with {@link #failWith}, for the first {@link #failures} contexts. */
    public static final class FailingStart extends SparkListener {
        public FailingStart() {
            if (BUILT.incrementAndGet() <= failures) throw new IllegalStateException(failWith);
        }
    }

    static SparkConf conf() {
        return SparkConfs.build("spark-contexts-test", "local[1]").set("spark.ui.enabled", "false")
                .set("spark.extraListeners", FailingStart.class.getName());
    }

    @Test
    void aStartThatLostYarnsUiFilterIsStartedOnceMore() {
        BUILT.set(0);
        failWith = SparkContexts.LOST_FILTER;
        failures = 1;
        JavaSparkContext sc = SparkContexts.start(conf());
        try {
            assertEquals(2, BUILT.get(), "contexts built");
            assertEquals(3L, sc.parallelize(List.of(1, 2, 3)).count());
        } finally {
            sc.stop();
        }
    }

    @Test
    void theRaceTwiceInARowFails() {
        BUILT.set(0);
        failWith = SparkContexts.LOST_FILTER;
        failures = 2;
        SparkException e = assertThrows(SparkException.class, () -> SparkContexts.start(conf()));
        assertEquals(SparkContexts.LOST_FILTER, e.getCause().getMessage());
        assertEquals(2, BUILT.get(), "contexts built");
    }

    @Test
    void otherFailedStartsAreNotRetried() {
        BUILT.set(0);
        failWith = "No filter named org.example.OtherFilter";
        failures = 1;
        SparkException e = assertThrows(SparkException.class, () -> SparkContexts.start(conf()));
        assertEquals(failWith, e.getCause().getMessage());
        assertEquals(1, BUILT.get(), "contexts built");
    }

    @Test
    void theRaceIsKnownByJettysExactErrorAnywhereInTheCauses() {
        assertTrue(SparkContexts.lostYarnUiFilter(new IllegalStateException(SparkContexts.LOST_FILTER)));
        assertTrue(SparkContexts.lostYarnUiFilter(new SparkException("wrapped", new IllegalStateException(SparkContexts.LOST_FILTER))));
        assertFalse(SparkContexts.lostYarnUiFilter(new IllegalArgumentException(SparkContexts.LOST_FILTER)));
        assertFalse(SparkContexts.lostYarnUiFilter(new IllegalStateException(SparkContexts.LOST_FILTER + "X")));
        assertFalse(SparkContexts.lostYarnUiFilter(new IllegalStateException((String) null)));
    }
}
