package io.tributary.job.spark;

import io.tributary.common.InputException;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A standalone master that cannot take the application is named at once, with the reason; others pass. */
class StandaloneMasterTest {
    @Test
    void aMasterWithNothingListeningIsRefusedNamingTheAddressAndTheReason() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        long start = System.nanoTime();
        InputException e = assertThrows(InputException.class,
                () -> StandaloneMaster.requireAnswering(new SparkConf(false).setMaster(master)));
        assertTrue(e.getMessage().startsWith("Spark master " + master + " refused or did not answer the application (127.0.0.1:"
                + port + ": Connection refused); check the master URL"), e.getMessage());
        // Spark's own registration would give up after three attempts of 20 s.
        assertTrue((System.nanoTime() - start) / 1e9 < 20, "refused in " + (System.nanoTime() - start) / 1e9 + " s");
    }

    @Test
    void otherMastersAreNotAsked() {
        assertDoesNotThrow(() -> StandaloneMaster.requireAnswering(new SparkConf(false).setMaster("local[2]")));
        assertDoesNotThrow(() -> StandaloneMaster.requireAnswering(new SparkConf(false).setMaster("yarn")));
    }
}
