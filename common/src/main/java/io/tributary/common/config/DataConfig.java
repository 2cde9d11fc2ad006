package io.tributary.common.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.tributary.common.config.TrainKeys.*;

/**
 * How the training data is read: its format, columns, example shape, classes, scale, held-out data,
 * what a bad record does and where batches are cached. Validated at construction.
 *
 * @param featuresCol the features column, or {@code null} for {@code features}, else {@code image}
 * @param labelCol    the label column, or {@code null} to read no labels ({@link #withoutLabels}: scoring that
 *                    ignores them)
 * @param inputShape  {@code C,H,W}, or {@code null} when the data gives it
 * @param numClasses  the number of classes, or 0 to infer it
 * @param featureScale multiplier of the features, or 0 for 1/255 on bytes and 1 otherwise
 * @param testData    held-out data, or {@code null}
 * @param testFraction fraction of the data held out when there is no {@code testData} (0: none)
 * @param labelType   what text labels are (indices or names), or {@code auto}
 * @param limits      the sizes the data may declare (classes, line length, decoded image bytes)
 */
public record DataConfig(DataFormat format, String featuresCol, String labelCol, String inputShape, int numClasses,
                         double featureScale, String testData, double testFraction, BadRecordPolicy onBadRecord,
                         CacheLevel cache, LabelType labelType, ReadLimits limits) implements Serializable {
    /** The settings with {@code auto} label types and the default limits. */
    public DataConfig(DataFormat format, String featuresCol, String labelCol, String inputShape, int numClasses,
                      double featureScale, String testData, double testFraction, BadRecordPolicy onBadRecord,
                      CacheLevel cache) {
        this(format, featuresCol, labelCol, inputShape, numClasses, featureScale, testData, testFraction, onBadRecord,
                cache, LabelType.AUTO, ReadLimits.DEFAULT);
    }

    public DataConfig {
        FORMAT.check(format);
        if (featuresCol != null) FEATURES_COL.check(featuresCol);
        if (labelCol != null) LABEL_COL.check(labelCol);
        if (inputShape != null) INPUT_SHAPE.check(inputShape);
        NUM_CLASSES.check(numClasses);
        FEATURE_SCALE.check(featureScale);
        if (testData != null) TEST_DATA.check(testData);
        TEST_FRACTION.check(testFraction);
        ON_BAD_RECORD.check(onBadRecord);
        CACHE.check(cache);
        LABEL_TYPE.check(labelType);
        if (limits == null) throw new IllegalArgumentException("limits must not be null");
        if (numClasses > limits.maxClasses()) {
            throw new ConfigException(NUM_CLASSES.name(), String.valueOf(numClasses), "must be at most "
                    + MAX_CLASSES.name() + " " + limits.maxClasses() + " (raise " + MAX_CLASSES.name() + " for more classes)");
        }
    }

    /** The data settings among merged key/value pairs. */
    public static DataConfig from(Map<String, ?> values) {
        return new DataConfig(FORMAT.valueIn(values), FEATURES_COL.optionalIn(values), LABEL_COL.valueIn(values),
                INPUT_SHAPE.optionalIn(values), NUM_CLASSES.valueIn(values), FEATURE_SCALE.valueIn(values),
                TEST_DATA.optionalIn(values), TEST_FRACTION.valueIn(values), ON_BAD_RECORD.valueIn(values),
                CACHE.valueIn(values), LABEL_TYPE.valueIn(values), ReadLimits.from(values));
    }

    /** The same settings for data of {@code resolved} format (what {@code auto} turned out to be). */
    public DataConfig withFormat(DataFormat resolved) {
        return new DataConfig(resolved, featuresCol, labelCol, inputShape, numClasses, featureScale, testData,
                testFraction, onBadRecord, cache, labelType, limits);
    }

    /** The same settings reading no label column, whatever the data holds (labels are then neither read nor checked). */
    public DataConfig withoutLabels() {
        return new DataConfig(format, featuresCol, null, inputShape, numClasses, featureScale, testData,
                testFraction, onBadRecord, cache, labelType, limits);
    }

    /** The shape given with {@code --input-shape}, or {@code null}. */
    public InputShape shape() {
        return inputShape == null ? null : InputShape.parse(inputShape);
    }

    /** The settings with the file keys' names, for metadata and logs. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(FORMAT.name(), format.label());
        m.put(FEATURES_COL.name(), featuresCol);
        m.put(LABEL_COL.name(), labelCol);
        m.put(INPUT_SHAPE.name(), inputShape);
        m.put(NUM_CLASSES.name(), numClasses);
        m.put(FEATURE_SCALE.name(), featureScale);
        m.put(TEST_DATA.name(), testData);
        m.put(TEST_FRACTION.name(), testFraction);
        m.put(ON_BAD_RECORD.name(), onBadRecord.label());
        m.put(CACHE.name(), cache.label());
        m.put(LABEL_TYPE.name(), labelType.label());
        m.put(MAX_CLASSES.name(), limits.maxClasses());
        m.put(MAX_LINE_BYTES.name(), limits.maxLineBytes());
        m.put(MAX_IMAGE_BYTES.name(), limits.maxImageBytes());
        return m;
    }
}
