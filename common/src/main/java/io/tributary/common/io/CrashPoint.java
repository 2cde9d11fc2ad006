package io.tributary.common.io;

/**
 * Named points where a test can make the process die as a power cut would: no exception, no
 * clean-up, no shutdown hooks. Inactive unless the system property {@value #PROPERTY} names the
 * point, so the recovery paths of a real crash can be tested deterministically.
 */
public final class CrashPoint {
    public static final String PROPERTY = "tributary.crash-at";
    /** Exit status of a crash at a point. */
    public static final int STATUS = 86;

    private CrashPoint() {
    }

    public static void reach(String name) {
        if (name.equals(System.getProperty(PROPERTY))) {
            System.err.println("tributary: crashing at " + name + " (" + PROPERTY + ")");
            Runtime.getRuntime().halt(STATUS);
        }
    }
}
