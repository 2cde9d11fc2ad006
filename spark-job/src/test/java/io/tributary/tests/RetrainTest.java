package io.tributary.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link RetrainScenario} on the local filesystem; LocalClusterIT runs it on HDFS. */
class RetrainTest {
    @TempDir
    Path tmp;

    @Test
    void aRegistrysLifeOnTheLocalFilesystem() throws Exception {
        new RetrainScenario("file://" + tmp.resolve("registry"), tmp).run();
    }
}
