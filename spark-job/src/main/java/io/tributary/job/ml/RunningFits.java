package io.tributary.job.ml;

import io.tributary.common.InputException;

import java.util.HashSet;
import java.util.Set;

/**
 * The fits running now in this JVM. Fits side by side in one session (a {@code CrossValidator} or
 * {@code TrainValidationSplit} with {@code parallelism} above 1) are independent: each trains in a
 * Spark job group of its own, its stall guard cancels its own steps only, and without {@code output}
 * each has a temporary run directory of its own. Two things cannot be shared, and a fit that would
 * share them is refused before it reads or writes anything: one {@code output} directory (a run
 * directory holds one run), and the shared-gradients parameter server (one per JVM).
 */
final class RunningFits {
    private static final Set<String> OUTPUTS = new HashSet<>();
    private static int sharedGradients;

    private RunningFits() {
    }

    /**
     * Claims what a fit holds while it runs; closing the claim gives it back.
     *
     * @param owner           the stage's uid, named in errors
     * @param output          the fit's run directory, fully qualified, or {@code null} for a temporary one
     * @param sharedGradients whether the fit trains with {@code sync} {@code shared-gradients}
     * @throws InputException when another running fit holds the same output, or trains with shared gradients too
     */
    static synchronized Claim claim(String owner, String output, boolean sharedGradients) {
        if (output != null && OUTPUTS.contains(output)) {
            throw new InputException(owner + ": output " + output + " is the run directory of another fit running"
                    + " now in this JVM; fits that run at the same time (a CrossValidator's parallelism above 1) each"
                    + " need their own: leave output unset (each fit then trains in a temporary directory), or fit"
                    + " one at a time");
        }
        if (sharedGradients && RunningFits.sharedGradients > 0) {
            throw new InputException(owner + ": sync shared-gradients trains one fit at a time in a JVM (its"
                    + " parameter server is one per JVM) and another fit with it is running now; set the"
                    + " CrossValidator's parallelism to 1, or use sync param-avg");
        }
        if (output != null) OUTPUTS.add(output);
        if (sharedGradients) RunningFits.sharedGradients++;
        return new Claim(output, sharedGradients);
    }

    private static synchronized void release(Claim claim) {
        if (claim.output() != null) OUTPUTS.remove(claim.output());
        if (claim.sharedGradients()) sharedGradients--;
    }

    /** What one running fit holds. */
    record Claim(String output, boolean sharedGradients) implements AutoCloseable {
        @Override
        public void close() {
            release(this);
        }
    }
}
