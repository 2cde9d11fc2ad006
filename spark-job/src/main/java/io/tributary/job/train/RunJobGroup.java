package io.tributary.job.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Spark jobs of one training run, in a job group of their own: {@code tributary-run-N}, unique in
 * the JVM, so runs side by side in one session (a CrossValidator's parallel fits) keep their jobs
 * apart, and cancelling the group ({@code SparkContext.cancelJobGroup}) cancels that run only, its
 * tasks' threads interrupted. The stall guard cancels one step's jobs by a tag within the group.
 * Job groups belong to the thread that submits the jobs: the group is set on the calling thread, and
 * its earlier group, description and interrupt setting (a notebook's, say) come back on close.
 */
final class RunJobGroup implements AutoCloseable {
    /** Spark's local property that holds the thread's job group. */
    static final String GROUP = "spark.jobGroup.id";
    private static final List<String> PROPERTIES = List.of(GROUP, "spark.job.description",
            "spark.job.interruptOnCancel");
    private static final String PREFIX = "tributary-run-";
    private static final AtomicLong NEXT = new AtomicLong();
    private static final Logger log = LoggerFactory.getLogger(RunJobGroup.class);

    private final JavaSparkContext sc;
    private final String id;
    private final Map<String, String> before = new LinkedHashMap<>();

    private RunJobGroup(JavaSparkContext sc, String id) {
        this.sc = sc;
        this.id = id;
    }

    /** Puts the jobs this thread submits from now on into a new group, described by {@code description}. */
    static RunJobGroup enter(JavaSparkContext sc, String description) {
        RunJobGroup group = new RunJobGroup(sc, PREFIX + NEXT.incrementAndGet());
        for (String key : PROPERTIES) group.before.put(key, sc.getLocalProperty(key));
        sc.setJobGroup(group.id, description, true);
        log.info("Spark jobs of this run: job group {} ({})", group.id, description);
        return group;
    }

    /** The group of the run this thread is training, or {@code null} outside a run. */
    static String current(JavaSparkContext sc) {
        String group = sc.getLocalProperty(GROUP);
        return group != null && group.startsWith(PREFIX) ? group : null;
    }

    String id() {
        return id;
    }

    /** Gives the thread back its earlier group, description and interrupt setting. */
    @Override
    public void close() {
        before.forEach(sc::setLocalProperty);
    }
}
