package io.tributary.common.config;

/** How workers' updates are merged into one model. */
public enum SyncMode {
    /** DL4J's ParameterAveragingTrainingMaster: workers fit locally, parameters are averaged every K minibatches. */
    PARAM_AVG("param-avg"),
    /**
     * DL4J's SharedTrainingMaster: workers exchange threshold-encoded gradient updates (Strom 2015)
     * over Aeron UDP after every minibatch; the driver is the controller of the mesh.
     */
    SHARED_GRADIENTS("shared-gradients");

    private final String label;

    SyncMode(String label) {
        this.label = label;
    }

    /** The name used on the command line and in config files. */
    public String label() {
        return label;
    }
}
