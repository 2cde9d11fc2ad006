package io.tributary.job.ml;

/**
 * The uid of a stage under construction. Spark ML's parameter traits make their {@code Param}s in
 * the superclass constructor, asking the stage for its uid before a Java subclass could store it;
 * the constructor holds it here first ({@code this(PendingUid.hold(uid))}), and {@code uid()} answers
 * from here until the stage has its own.
 */
final class PendingUid {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    private PendingUid() {
    }

    /** Holds {@code uid} for the constructor about to run on this thread. */
    static PendingUid hold(String uid) {
        PENDING.set(uid);
        return new PendingUid();
    }

    /** The uid held for the stage being constructed on this thread. */
    static String current() {
        return PENDING.get();
    }

    /** The held uid, no longer held. */
    String take() {
        String uid = PENDING.get();
        PENDING.remove();
        return uid;
    }
}
