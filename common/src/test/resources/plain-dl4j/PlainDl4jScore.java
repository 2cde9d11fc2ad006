import java.io.File;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A plain DL4J program, run with DL4J alone on its classpath: loads MODEL_ZIP with DL4J's
 * ModelSerializer and writes the network's outputs for the input in INPUT_BIN (ND4J's binary
 * format) to OUTPUT_BIN. Exits 3 when Tributary's classes are reachable, which would void the test.
 *   java PlainDl4jScore.java MODEL_ZIP INPUT_BIN OUTPUT_BIN
 */
public class PlainDl4jScore {
    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.tributary.common.model.ConvPoolRelu");
            System.err.println("Tributary's classes are on this classpath");
            System.exit(3);
        } catch (ClassNotFoundException expected) {
            // as it must be
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(args[0]), false);
        INDArray x = Nd4j.readBinary(new File(args[1]));
        Nd4j.saveBinary(net.output(x), new File(args[2]));
        System.out.println("layers " + net.getnLayers() + ", parameters " + net.numParams());
    }
}
