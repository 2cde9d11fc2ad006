package io.tributary.common.config;

/** How shared-gradient training picks the threshold that decides which gradient entries are sent. */
public enum ThresholdAlgorithmKind {
    /** DL4J's AdaptiveThresholdAlgorithm: moves the threshold to keep the sent fraction within the sparsity bounds. */
    ADAPTIVE("adaptive"),
    /** DL4J's FixedThresholdAlgorithm: the initial threshold throughout. */
    FIXED("fixed");

    private final String label;

    ThresholdAlgorithmKind(String label) {
        this.label = label;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
