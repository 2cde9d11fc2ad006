package io.tributary.common.store;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.model.Network;
import org.apache.hadoop.conf.Configuration;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a model the way {@code tributary train --model FILE} does ({@link ModelSource}), in a JVM of
 * its own so a test can give it a small heap and survive a crash: prints the parameter count (of a network for 28x28x1 images and 10 classes) and exits
 * 0, or prints the refusal and exits 2 as the CLI does for bad input. Arguments: the model file, and
 * optionally a path to write the loaded network to as a model zip (to look for bytes in it).
 */
public final class ModelSourceMain {
    private ModelSourceMain() {
    }

    public static void main(String[] args) throws Exception {
        TrainConfig config = ConfigLoader.load(null, Map.of("data", "/data", "output", "/output", "model", args[0]));
        Network net;
        try {
            net = ModelSource.of(config, new Configuration()).network(new InputShape(1, 28, 28), 10);
        } catch (InputException e) {
            System.err.println("tributary: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 1) {
            try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
                ModelStore.write(net, out);
            }
        }
        System.out.println("loaded " + net.numParams() + " parameters");
    }
}
