package io.tributary.job.train;

import io.tributary.common.model.Network;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The network being trained, on Spark: DL4J's {@link SparkDl4jMultiLayer} or
 * {@link SparkComputationGraph} (both run either training master) behind one interface.
 */
public final class SparkNetwork {
    private final SparkDl4jMultiLayer layers;
    private final SparkComputationGraph graph;

    public SparkNetwork(JavaSparkContext sc, Network net, TrainingMaster<?, ?> master) {
        if (net instanceof Network.Graph g) {
            this.layers = null;
            this.graph = new SparkComputationGraph(sc, g.dl4j(), master);
        } else {
            this.layers = new SparkDl4jMultiLayer(sc, ((Network.Stack) net).dl4j(), master);
            this.graph = null;
        }
    }

    /** Fits the batches with the training master: one step. */
    public void fit(JavaRDD<DataSet> batches) {
        if (graph != null) {
            graph.fit(batches);
        } else {
            layers.fit(batches);
        }
    }

    /** The network as it stands after the last step. */
    public Network network() {
        return Network.of(graph != null ? graph.getNetwork() : layers.getNetwork());
    }

    /** The training master's loss of the last step. */
    public double score() {
        return graph != null ? graph.getScore() : layers.getScore();
    }
}
