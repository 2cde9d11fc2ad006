package io.tributary.job.shared;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigException;
import io.tributary.common.config.SharedGradientsConfig;
import io.tributary.common.config.ThresholdAlgorithmKind;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Driver side of shared-gradient training: checks the mesh can form (controller port free, every
 * executor reaches it, the network mask selects an interface), then builds DL4J's
 * SharedTrainingMaster. Closing it stops this JVM's parameter server and frees the port.
 */
public final class SharedGradients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedGradients.class);
    /** Iterations between two residual clippings. */
    private static final int RESIDUAL_CLIP_FREQUENCY = 5;

    private final SharedTrainingMaster master;
    private final Map<String, Object> info;

    private SharedGradients(SharedTrainingMaster master, Map<String, Object> info) {
        this.master = master;
        this.info = info;
    }

    public static SharedGradients prepare(JavaSparkContext sc, TrainConfig config) throws InterruptedException {
        SharedGradientsConfig shared = config.shared();
        int workersPerNode = shared.workersPerNode();
        if (workersPerNode > 1 && !Nd4j.getBackend().getClass().getName().contains("Cuda")) {
            // Seen with 1.0.0-M2.1: a second replica builds its updater under a lock the first holds
            // while it waits in the gradient barrier for the second.
            throw new ConfigException(TrainKeys.SHARED_WORKERS_PER_NODE.name(), workersPerNode,
                    "must be 1 on the CPU backend: DL4J's ParallelWrapper deadlocks with several replicas in one JVM;"
                            + " give the one replica the executor's cores instead (threads-per-worker)");
        }
        String aeronDir = AeronSettings.apply(shared.aeronDir());
        String controller = controllerAddress(sc, shared);
        List<ReachController.Reach> reaches;
        try (ControllerEcho echo = ControllerEcho.start(controller, shared.port())) {
            int probes = Math.max(1, sc.defaultParallelism());
            reaches = sc.parallelize(IntStream.range(0, probes).boxed().toList(), probes)
                    .mapPartitions(new ReachController(controller, shared.port(), shared.networkMask(),
                            shared.connectTimeoutSeconds(), shared.aeronDir()))
                    .collect();
        }
        TreeSet<String> addresses = new TreeSet<>();
        for (ReachController.Reach r : reaches) {
            if (r.error != null) throw new InputException(r.error);
            addresses.add(r.address);
        }
        String mask = shared.networkMask() != null ? shared.networkMask() : Networks.covering(addresses);
        log.info("Gradient mesh: controller {}:{}, workers on {} ({} per executor), network {}, Aeron dir {}",
                controller, shared.port(), addresses, workersPerNode, mask, aeronDir);

        VoidConfiguration voidConf = VoidConfiguration.builder()
                .controllerAddress(controller)
                .unicastPort(shared.port())
                .networkMask(mask)
                .portSupplier(new WorkerPorts(shared.port(), shared.workerPortRange()))
                .meshBuildMode(MeshBuildMode.PLAIN)
                .build();
        SharedTrainingMaster.Builder builder = new SharedTrainingMaster.Builder(voidConf, workersPerNode,
                thresholdAlgorithm(shared), config.batchSizePerWorker())
                .batchSizePerWorker(config.batchSizePerWorker())
                .workersPerNode(workersPerNode)
                .workerPrefetchNumBatches(2)
                .rngSeed(config.seed())
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartitioner(new OneFeederPerJvm())
                .storageLevel(null)
                .collectTrainingStats(false);
        if (shared.residualClip() > 0) {
            builder.residualPostProcessor(new ResidualClippingPostProcessor(shared.residualClip(),
                    RESIDUAL_CLIP_FREQUENCY));
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("controller", controller + ":" + shared.port());
        info.put("network_mask", mask);
        info.put("executor_addresses", new ArrayList<>(addresses));
        info.put("workers_per_node", workersPerNode);
        info.put("aeron_dir", aeronDir);
        SharedTrainingMaster master = builder.build();
        return new SharedGradients(master, info);
    }

    public SharedTrainingMaster master() {
        return master;
    }

    /** What the mesh was built from, for metadata.json. */
    public Map<String, Object> info() {
        return info;
    }

    static ThresholdAlgorithm thresholdAlgorithm(SharedGradientsConfig shared) {
        return shared.thresholdAlgorithm() == ThresholdAlgorithmKind.FIXED
                ? new FixedThresholdAlgorithm(shared.initialThreshold())
                : new AdaptiveThresholdAlgorithm(shared.initialThreshold(), shared.minSparsity(),
                        shared.maxSparsity(), AdaptiveThresholdAlgorithm.DEFAULT_DECAY_RATE);
    }

    private static String controllerAddress(JavaSparkContext sc, SharedGradientsConfig shared) {
        String host = shared.controllerAddress() != null ? shared.controllerAddress()
                : sc.getConf().get("spark.driver.host", "127.0.0.1");
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new InputException("The controller address " + host + " (shared-controller-address) does not resolve: "
                    + e.getMessage());
        }
    }

    @Override
    public void close() {
        ModelParameterServer server = ModelParameterServer.getInstance();
        if (server.isInitialized()) {
            server.shutdown();
        }
    }
}
