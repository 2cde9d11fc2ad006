package io.tributary.job.shared;

import io.tributary.job.kryo.KryoClasses;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.parameterserver.accumulation.SharedTrainingAccumulationTuple;
import org.deeplearning4j.spark.parameterserver.conf.SharedTrainingConfiguration;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.enums.ExecutionMode;
import org.nd4j.parameterserver.distributed.enums.FaultToleranceStrategy;
import org.nd4j.parameterserver.distributed.enums.NodeRole;
import org.nd4j.parameterserver.distributed.enums.TransportType;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;

import java.util.List;

/**
 * What shared-gradient training sends through Kryo: DL4J's training configuration (mesh settings,
 * threshold algorithm, residual post-processor), its accumulation results, and the mesh check's answers.
 */
public final class SharedKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return List.of(SharedTrainingConfiguration.class, WorkspaceMode.class, VoidConfiguration.class, ExecutionMode.class,
                FaultToleranceStrategy.class, NodeRole.class, TransportType.class, MeshBuildMode.class,
                AdaptiveThresholdAlgorithm.class, new AdaptiveThresholdAlgorithm().newReducer().getClass(),
                FixedThresholdAlgorithm.class, new FixedThresholdAlgorithm(1e-3).newReducer().getClass(),
                ResidualClippingPostProcessor.class,
                SharedTrainingAccumulationTuple.class, ReachController.Reach.class, WorkerPorts.class);
    }
}
