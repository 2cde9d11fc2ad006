package io.tributary.job.read;

/**
 * One row that breaks a rule, thrown inside an executor's conversion and turned there into an
 * {@link io.tributary.common.InputException} naming the row's file, or counted and dropped. Carries
 * no stack trace: with {@code on-bad-record: skip} there may be millions.
 */
final class BadRecord extends RuntimeException {
    BadRecord(String problem) {
        super(problem, null, false, false);
    }
}
