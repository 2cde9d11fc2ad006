package io.tributary.tests;

import io.tributary.job.spark.Nd4jThreads;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A task's ND4J thread count reaches the BLAS library too: OpenBLAS takes its own from OMP_NUM_THREADS
 * when it loads (the cores when unset, as in a local run), and a matrix product split over another
 * number of threads rounds otherwise, so a local run and a cluster's executors trained different bytes.
 * (The tests' JVMs start with OMP_NUM_THREADS=1, so the count is set to 2 and back.)
 */
class Nd4jThreadsTest {
    @Test
    void theCountReachesTheBlasLibrary() {
        try {
            Nd4jThreads.ensure(2);
            assertEquals(2, Nd4j.factory().blas().getMaxThreads(), "OpenBLAS threads");
        } finally {
            Nd4jThreads.ensure(1);
        }
        assertEquals(1, Nd4j.factory().blas().getMaxThreads(), "OpenBLAS threads");
    }
}
