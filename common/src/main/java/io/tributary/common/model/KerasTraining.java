package io.tributary.common.model;

import io.tributary.common.InputException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/**
 * The training setup of a Keras model saved without its training config (model.save on an
 * uncompiled model): Adam with the caller's learning rate on every layer, and multi-class
 * cross-entropy on each softmax output. An output that does not end in softmax has no loss that
 * could be inferred, and is refused.
 */
final class KerasTraining {
    private KerasTraining() {
    }

    static MultiLayerNetwork withDefaults(String source, MultiLayerNetwork imported, double learningRate) {
        MultiLayerConfiguration conf = imported.getLayerWiseConfigurations().clone();
        List<NeuralNetConfiguration> confs = new ArrayList<>(conf.getConfs());
        confs.forEach(c -> adam(c.getLayer(), learningRate));
        NeuralNetConfiguration last = confs.get(confs.size() - 1);
        requireSoftmax(source, last.getLayer());
        NeuralNetConfiguration loss = last.clone();
        loss.setLayer(lossLayer(last.getLayer().getLayerName(), learningRate));
        confs.add(loss);
        conf.setConfs(confs);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        // The loss layer has no parameters, so the parameter vector is the same.
        net.init(imported.params().dup(), false);
        return net;
    }

    static ComputationGraph withDefaults(String source, ComputationGraph imported, double learningRate) {
        ComputationGraphConfiguration conf = imported.getConfiguration().clone();
        conf.getVertices().values().forEach(v -> {
            if (v instanceof LayerVertex lv) adam(lv.getLayerConf().getLayer(), learningRate);
        });
        List<String> outputs = new ArrayList<>();
        for (String output : conf.getNetworkOutputs()) {
            if (!(conf.getVertices().get(output) instanceof LayerVertex lv)) {
                throw noLoss(source, output, "is not a layer");
            }
            requireSoftmax(source, lv.getLayerConf().getLayer());
            lv.setOutputVertex(false);
            NeuralNetConfiguration lossConf = lv.getLayerConf().clone();
            String lossName = output + "_loss";
            lossConf.setLayer(lossLayer(lossName, learningRate));
            LayerVertex loss = new LayerVertex(lossConf, null);
            loss.setOutputVertex(true);
            conf.getVertices().put(lossName, loss);
            conf.getVertexInputs().put(lossName, List.of(output));
            outputs.add(lossName);
        }
        conf.setNetworkOutputs(outputs);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        for (org.deeplearning4j.nn.api.Layer layer : imported.getLayers()) {  // Layer: another class of this name is also imported
            graph.getLayer(layer.conf().getLayer().getLayerName()).setParams(layer.params().dup());
        }
        return graph;
    }

    private static void adam(Layer layer, double learningRate) {
        if (layer instanceof BaseLayer base) {
            base.setIUpdater(new Adam(learningRate));
            base.setBiasUpdater(null);
        }
    }

    private static LossLayer lossLayer(String name, double learningRate) {
        // Identity: the layer before it applies the softmax, as DL4J's import does with a training config.
        return new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(new ActivationIdentity())
                .updater(new Adam(learningRate)).name(name).build();
    }

    private static void requireSoftmax(String source, Layer last) {
        IActivation activation = last instanceof BaseLayer b ? b.getActivationFn()
                : last instanceof ActivationLayer a ? a.getActivationFn() : null;
        if (!(activation instanceof ActivationSoftmax)) {
            throw noLoss(source, last.getLayerName(), "ends with activation "
                    + (activation == null ? "none" : activation.toString()) + ", not softmax");
        }
    }

    private static InputException noLoss(String source, String output, String why) {
        return new InputException("Keras model " + source + " was saved without its training config and its output layer \""
                + output + "\" " + why + ", so no loss can be inferred; save the model after model.compile(...) "
                + "(model.save writes the optimizer and loss), or end it with a softmax layer");
    }
}
