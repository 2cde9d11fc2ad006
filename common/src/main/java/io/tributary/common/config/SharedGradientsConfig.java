package io.tributary.common.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.tributary.common.config.TrainKeys.*;

/**
 * Settings of shared-gradient training (threshold encoding over Aeron UDP), validated at construction.
 *
 * @param controllerAddress address of the driver as workers see it, or {@code null} for the Spark driver's host
 * @param networkMask       CIDR network selecting the workers' interface, or {@code null} to pick the one
 *                          that routes to the controller
 * @param workersPerNode    model replicas per executor JVM
 * @param residualClip      residual clipping as a multiple of the threshold, 0 for none
 */
public record SharedGradientsConfig(
        String controllerAddress,
        int port,
        String workerPorts,
        String networkMask,
        int workersPerNode,
        ThresholdAlgorithmKind thresholdAlgorithm,
        double initialThreshold,
        double minSparsity,
        double maxSparsity,
        double residualClip,
        String aeronDir,
        int connectTimeoutSeconds) implements Serializable {

    public SharedGradientsConfig {
        if (controllerAddress != null) SHARED_CONTROLLER_ADDRESS.check(controllerAddress);
        SHARED_PORT.check(port);
        SHARED_WORKER_PORTS.check(workerPorts);
        if (networkMask != null) SHARED_NETWORK_MASK.check(networkMask);
        SHARED_WORKERS_PER_NODE.check(workersPerNode);
        SHARED_THRESHOLD_ALGORITHM.check(thresholdAlgorithm);
        SHARED_INITIAL_THRESHOLD.check(initialThreshold);
        SHARED_MIN_SPARSITY.check(minSparsity);
        SHARED_MAX_SPARSITY.check(maxSparsity);
        SHARED_RESIDUAL_CLIP.check(residualClip);
        SHARED_AERON_DIR.check(aeronDir);
        SHARED_CONNECT_TIMEOUT.check(connectTimeoutSeconds);
        if (minSparsity > maxSparsity) {
            throw new ConfigException(SHARED_MIN_SPARSITY.name(), String.valueOf(minSparsity),
                    "must not exceed " + SHARED_MAX_SPARSITY.name() + " (" + maxSparsity + ")");
        }
        if (PortRange.parse(workerPorts).contains(port)) {
            throw new ConfigException(SHARED_WORKER_PORTS.name(), "\"" + workerPorts + "\"",
                    "must not contain " + SHARED_PORT.name() + " (" + port + ")");
        }
    }

    /** The workers' port range. */
    public PortRange workerPortRange() {
        return PortRange.parse(workerPorts);
    }

    /** The settings with the file keys' names, for metadata and logs. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(SHARED_CONTROLLER_ADDRESS.name(), controllerAddress);
        m.put(SHARED_PORT.name(), port);
        m.put(SHARED_WORKER_PORTS.name(), workerPorts);
        m.put(SHARED_NETWORK_MASK.name(), networkMask);
        m.put(SHARED_WORKERS_PER_NODE.name(), workersPerNode);
        m.put(SHARED_THRESHOLD_ALGORITHM.name(), thresholdAlgorithm.label());
        m.put(SHARED_INITIAL_THRESHOLD.name(), initialThreshold);
        m.put(SHARED_MIN_SPARSITY.name(), minSparsity);
        m.put(SHARED_MAX_SPARSITY.name(), maxSparsity);
        m.put(SHARED_RESIDUAL_CLIP.name(), residualClip);
        m.put(SHARED_AERON_DIR.name(), aeronDir);
        m.put(SHARED_CONNECT_TIMEOUT.name(), connectTimeoutSeconds);
        return m;
    }
}
