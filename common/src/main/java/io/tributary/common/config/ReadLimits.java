package io.tributary.common.config;

import java.io.Serializable;
import java.util.Map;

import static io.tributary.common.config.TrainKeys.MAX_CLASSES;
import static io.tributary.common.config.TrainKeys.MAX_IMAGE_BYTES;
import static io.tributary.common.config.TrainKeys.MAX_LINE_BYTES;

/**
 * The bounds a reader holds a dataset to before it believes the sizes the data declares: how many
 * classes its labels may make, how long a text line may be, and how many bytes one image may take
 * once decoded. Each is a key, so an error can name what raises it.
 */
public record ReadLimits(int maxClasses, int maxLineBytes, long maxImageBytes) implements Serializable {
    /** The keys' defaults. */
    public static final ReadLimits DEFAULT = new ReadLimits(MAX_CLASSES.defaultValue(), MAX_LINE_BYTES.defaultValue(),
            MAX_IMAGE_BYTES.defaultValue());

    public ReadLimits {
        MAX_CLASSES.check(maxClasses);
        MAX_LINE_BYTES.check(maxLineBytes);
        MAX_IMAGE_BYTES.check(maxImageBytes);
    }

    /** The limits among merged key/value pairs. */
    public static ReadLimits from(Map<String, ?> values) {
        return new ReadLimits(MAX_CLASSES.valueIn(values), MAX_LINE_BYTES.valueIn(values),
                MAX_IMAGE_BYTES.valueIn(values));
    }
}
