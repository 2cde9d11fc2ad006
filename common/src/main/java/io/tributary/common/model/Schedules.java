package io.tributary.common.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.function.DoubleFunction;

/**
 * A learning rate schedule put into every updater of a configuration that has a learning rate, as DL4J's
 * {@code NetworkUtils.setLearningRate} does to a network, but on a copy of the configuration: the
 * layers' updaters and bias updaters, and those of the layers inside wrappers ({@code LastTimeStep},
 * {@code Bidirectional}). Each updater's schedule is made from its own learning rate (a schedule it had
 * is replaced).
 */
final class Schedules {
    private Schedules() {
    }

    static MultiLayerConfiguration scheduled(MultiLayerConfiguration conf, DoubleFunction<ISchedule> byRate) {
        // A copy through JSON: clone() shares the layers inside wrappers, which this changes.
        MultiLayerConfiguration out = MultiLayerConfiguration.fromJson(conf.toJson());
        out.setIterationCount(conf.getIterationCount());
        out.setEpochCount(conf.getEpochCount());
        out.getConfs().forEach(c -> schedule(c.getLayer(), byRate));
        return out;
    }

    static ComputationGraphConfiguration scheduled(ComputationGraphConfiguration conf, DoubleFunction<ISchedule> byRate) {
        ComputationGraphConfiguration out = ComputationGraphConfiguration.fromJson(conf.toJson());
        out.setIterationCount(conf.getIterationCount());
        out.setEpochCount(conf.getEpochCount());
        out.getVertices().values().forEach(v -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf() != null) {
                schedule(lv.getLayerConf().getLayer(), byRate);
            }
        });
        return out;
    }

    private static void schedule(Layer layer, DoubleFunction<ISchedule> byRate) {
        if (layer instanceof BaseLayer l) {
            l.setIUpdater(scheduled(l.getIUpdater(), byRate));
            l.setBiasUpdater(scheduled(l.getBiasUpdater(), byRate));
        } else if (layer instanceof BaseWrapperLayer w) {
            schedule(w.getUnderlying(), byRate);
        } else if (layer instanceof Bidirectional b) {
            schedule(b.getFwd(), byRate);
            schedule(b.getBwd(), byRate);
        }
    }

    /** A copy of {@code u} following the schedule of its rate; {@code u} itself when it has no learning rate. */
    private static IUpdater scheduled(IUpdater u, DoubleFunction<ISchedule> byRate) {
        if (u == null || !u.hasLearningRate()) {
            return u;
        }
        double rate = u.getLearningRate(0, 0);
        IUpdater out = u.clone();
        out.setLrAndSchedule(rate, byRate.apply(rate));
        return out;
    }
}
