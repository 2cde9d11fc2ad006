package io.tributary.job.train;

import io.tributary.job.spark.SparkConfs;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training runs side by side in one Spark context keep their jobs apart: each run's jobs are in a job
 * group of its own, and when one run's step outlives its stall timeout the guard cancels that step's
 * jobs only, while another run's step, running at the same moment, completes. A run's result bytes
 * count its own tasks only, and the thread's own job group (a notebook's) comes back when a run ends.
 */
class StallGuardTest {
    static JavaSparkContext sc;
    /** The job group and tags of every job started, by job id. */
    static final Map<Integer, String> GROUPS = new ConcurrentHashMap<>();
    static final Map<Integer, String> TAGS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(SparkConfs.build("stall-guard-test", "local[2]").set("spark.ui.enabled", "false"));
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                Properties p = job.properties();
                GROUPS.put(job.jobId(), String.valueOf(p.getProperty(RunJobGroup.GROUP)));
                TAGS.put(job.jobId(), String.valueOf(p.getProperty("spark.job.tags")));
            }
        });
    }

    @AfterAll
    static void stop() {
        sc.stop();
        sc = null;
    }

    /** Sleeps for as long as it is told, interruptibly, then answers its input. */
    static final class Sleep implements Function<Integer, Integer> {
        private final long millis;

        Sleep(long millis) {
            this.millis = millis;
        }

        @Override
        public Integer call(Integer value) throws InterruptedException {
            Thread.sleep(millis);
            return value;
        }
    }

    /** A job of one task that sleeps {@code millis}. */
    static long sleepingJob(long millis) {
        return sc.parallelize(List.of(1), 1).map(new Sleep(millis)).count();
    }

    /** One run on its own thread: its job group, then one guarded step of a job sleeping {@code millis}. */
    static Callable<String> run(String name, int timeoutSeconds, long millis) {
        return () -> {
            try (RunJobGroup group = RunJobGroup.enter(sc, name);
                 StallGuard guard = new StallGuard(sc, timeoutSeconds)) {
                guard.run("step 1 of " + name, () -> sleepingJob(millis));
                return group.id();
            }
        };
    }

    @Test
    void aStalledStepIsCancelledWhileAnotherRunsStepGoesOn() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            long start = System.nanoTime();
            Future<String> stalled = threads.submit(run("stalled", 1, 120_000));
            Future<String> healthy = threads.submit(run("healthy", 60, 4_000));
            ExecutionException e = assertThrows(ExecutionException.class, stalled::get);
            assertTrue(e.getCause().getMessage().contains("took longer than 1 s (stall-timeout-seconds) and was"
                    + " cancelled"), e.getCause().getMessage());
            assertTrue((System.nanoTime() - start) / 1e9 < 60, "the stalled task was interrupted, not waited for");
            String healthyGroup = healthy.get();   // throws if the other run's cancellation reached its job
            assertTrue(healthyGroup.startsWith("tributary-run-"), healthyGroup);
            List<Integer> jobs = GROUPS.entrySet().stream().filter(g -> g.getValue().equals(healthyGroup))
                    .map(Map.Entry::getKey).toList();
            assertEquals(1, jobs.size(), "the healthy run's step ran one job in its group: " + GROUPS);
            assertEquals(healthyGroup + "-step-1", TAGS.get(jobs.get(0)), "tagged with its run and step");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void eachRunHasItsOwnGroupAndTheThreadsOwnComesBack() {
        sc.setJobGroup("notebook-cell", "a notebook's cell", false);
        try {
            String first;
            String second;
            try (RunJobGroup a = RunJobGroup.enter(sc, "first")) {
                first = a.id();
                assertEquals(first, sc.getLocalProperty(RunJobGroup.GROUP));
                assertEquals("true", sc.getLocalProperty("spark.job.interruptOnCancel"));
            }
            try (RunJobGroup b = RunJobGroup.enter(sc, "second")) {
                second = b.id();
            }
            assertNotEquals(first, second, "a group per run");
            assertEquals("notebook-cell", sc.getLocalProperty(RunJobGroup.GROUP));
            assertEquals("a notebook's cell", sc.getLocalProperty("spark.job.description"));
            assertEquals("false", sc.getLocalProperty("spark.job.interruptOnCancel"));
            assertNull(RunJobGroup.current(sc), "outside a run");
        } finally {
            sc.clearJobGroup();
        }
    }

    @Test
    void aRunsResultBytesCountItsOwnTasksOnly() throws Exception {
        TaskResultBytes mine;
        TaskResultBytes others;
        try (RunJobGroup group = RunJobGroup.enter(sc, "counted")) {
            assertEquals(group.id(), RunJobGroup.current(sc), "the thread is in the run's group");
            mine = new TaskResultBytes(group.id());
            others = new TaskResultBytes("tributary-run-of-someone-else");
            sc.sc().addSparkListener(mine);
            sc.sc().addSparkListener(others);
            sc.parallelize(List.of(1, 2, 3, 4), 2).map(new Sleep(0)).collect();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (mine.total() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
        Thread.sleep(500);   // the listener bus has delivered the run's last events
        long counted = mine.total();
        sleepingJob(0);   // outside the run
        Thread.sleep(500);
        sc.sc().removeSparkListener(mine);
        sc.sc().removeSparkListener(others);
        assertTrue(counted > 0, "the run's two tasks sent results");
        assertEquals(counted, mine.total(), "a job outside the run is not counted");
        assertEquals(0, others.total(), "another run's counter saw none of them");
    }
}
