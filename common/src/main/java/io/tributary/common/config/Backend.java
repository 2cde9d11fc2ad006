package io.tributary.common.config;

/** The ND4J backend a job requires of its executors. */
public enum Backend {
    /** Whatever the submitted jar brings. */
    ANY("any"),
    /** ND4J's native CPU backend. */
    CPU("cpu"),
    /** ND4J's CUDA backend (the jar built with {@code -Pcuda}). */
    CUDA("cuda");

    private final String label;

    Backend(String label) {
        this.label = label;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
