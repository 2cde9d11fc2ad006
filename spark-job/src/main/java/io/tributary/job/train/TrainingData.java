package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.MnistData;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.ModelZoo;
import org.apache.hadoop.conf.Configuration;

import java.util.Map;

/**
 * A run's data, read and checked before Spark starts: the training and held-out splits, the shape
 * the network is built for, and the fingerprint recorded in metadata.json.
 */
public record TrainingData(MnistData train, MnistData test, ModelZoo.InputShape shape,
                           Map<String, Object> fingerprint) {

    /** Reads {@code config}'s data (limited to its train/test example counts) and checks both splits agree. */
    public static TrainingData read(TrainConfig config, Configuration hadoopConf) {
        MnistDirectory dir = new MnistDirectory(HadoopFs.resolve("data", config.data(), hadoopConf));
        MnistData train = dir.read(MnistDirectory.Split.TRAIN, config.trainExamples());
        MnistData test = dir.read(MnistDirectory.Split.TEST, config.testExamples());
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new InputException("Training images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols() + " in " + dir.location()
                    + "; both splits must have the same image size");
        }
        return new TrainingData(train, test, new ModelZoo.InputShape(train.rows(), train.cols(), 1,
                train.numClasses()), dir.fingerprint());
    }
}
