package io.tributary.job.train;

import io.tributary.common.metrics.Confusion;
import io.tributary.job.kryo.KryoClasses;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;

import java.util.List;

/**
 * What training and evaluation send through Kryo: averaging rounds' broadcast state, replica results and
 * dealt examples; DL4J's broadcast network and averaging results; evaluation counts.
 */
public final class TrainKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return List.of(NetBroadcastTuple.class, ParameterAveragingAggregationTuple.class,
                HoldoutEvaluation.Counts.class, RoundState.class, ReplicaResult.class, ReplicaData.DealKey.class,
                ReplicaData.Example.class, Confusion.class);
    }
}
