package io.tributary.job.ml;

import io.tributary.common.InputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What fits running at once in one JVM may not share: one output directory, and the shared-gradients
 * parameter server. A second claim is refused naming the stage and the rule; a finished fit's claim is
 * given back, and fits that share neither run side by side.
 */
class RunningFitsTest {
    @Test
    void anOutputHeldByARunningFitIsRefusedUntilItEnds() {
        try (RunningFits.Claim first = RunningFits.claim("fit-a", "file:/runs/a", false);
             RunningFits.Claim beside = RunningFits.claim("fit-b", "file:/runs/b", false);
             RunningFits.Claim temporary = RunningFits.claim("fit-c", null, false);
             RunningFits.Claim another = RunningFits.claim("fit-d", null, false)) {
            InputException e = assertThrows(InputException.class,
                    () -> RunningFits.claim("fit-e", "file:/runs/a", false));
            assertTrue(e.getMessage().startsWith("fit-e: output file:/runs/a is the run directory of another fit"
                    + " running now in this JVM;"), e.getMessage());
        }
        RunningFits.claim("fit-e", "file:/runs/a", false).close();
    }

    @Test
    void aSecondSharedGradientsFitIsRefusedUntilTheFirstEnds() {
        try (RunningFits.Claim first = RunningFits.claim("fit-a", null, true);
             RunningFits.Claim averaging = RunningFits.claim("fit-b", null, false)) {
            InputException e = assertThrows(InputException.class, () -> RunningFits.claim("fit-c", null, true));
            assertTrue(e.getMessage().startsWith("fit-c: sync shared-gradients trains one fit at a time in a JVM"),
                    e.getMessage());
        }
        RunningFits.claim("fit-c", null, true).close();
    }
}
