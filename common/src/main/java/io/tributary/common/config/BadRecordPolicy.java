package io.tributary.common.config;

/** What a bad record (an unreadable image, a label out of range, a NaN feature...) does to a run. */
public enum BadRecordPolicy {
    /** The run fails with an error naming the record, its file and the rule. */
    FAIL("fail"),
    /** The record is left out and counted; the count goes to metrics.json and the log. */
    SKIP("skip");

    private final String label;

    BadRecordPolicy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
