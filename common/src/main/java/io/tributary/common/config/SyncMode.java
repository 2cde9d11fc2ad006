package io.tributary.common.config;

/** How workers' updates are merged into one model. */
public enum SyncMode {
    /** DL4J's ParameterAveragingTrainingMaster: workers fit locally, parameters are averaged every K minibatches. */
    PARAM_AVG("param-avg");

    private final String label;

    SyncMode(String label) {
        this.label = label;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
