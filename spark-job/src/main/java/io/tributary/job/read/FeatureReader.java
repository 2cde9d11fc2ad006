package io.tributary.job.read;

import io.tributary.common.config.InputShape;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads one row's features on an executor into the form of {@link ExampleRows}: {@code float[]}, or
 * {@code byte[]} for raw bytes and images, channel-major. Throws {@link BadRecord} for a length that
 * does not match the shape and for values that are not finite floats.
 */
final class FeatureReader {
    /** Separates the numbers of a CSV features field. */
    static final Pattern DELIMITED = Pattern.compile("[\\s;]+");

    private FeatureReader() {
    }

    /** Features of a table row (column 0) or of a CSV row's fields. */
    static Object read(RowPlan plan, Row row, List<String> csvFields) {
        return switch (plan.features()) {
            case NUMBERS -> numbers(plan, row);
            case VECTOR -> vector(plan, row.get(0));
            case BINARY -> binary(plan, (byte[]) nonNull(plan, row.get(0)));
            case IMAGE -> image(plan, (Row) nonNull(plan, row.get(0)));
            case CSV_COLUMNS -> csvColumns(plan, csvFields);
            case CSV_DELIMITED -> csvDelimited(plan, csvFields.get(plan.featuresIndex()));
        };
    }

    private static Object nonNull(RowPlan plan, Object value) {
        if (value == null) throw new BadRecord("column " + plan.featuresName() + " is null; every example needs features");
        return value;
    }

    private static float[] numbers(RowPlan plan, Row row) {
        nonNull(plan, row.get(0));
        List<Object> values = row.getList(0);
        checkLength(plan, values.size());
        float[] out = new float[values.size()];
        int i = 0;
        for (Object v : values) {
            if (v == null) throw new BadRecord(plan.featuresName() + "[" + i + "] is null; features must be finite numbers");
            out[i] = finite(plan, i, ((Number) v).doubleValue());
            i++;
        }
        return out;
    }

    private static float[] vector(RowPlan plan, Object value) {
        nonNull(plan, value);
        Vector v = value instanceof org.apache.spark.mllib.linalg.Vector old  // Vector: another class of this name is also imported
                ? old.asML() : (Vector) value;
        checkLength(plan, v.size());
        double[] values = v.toArray();
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = finite(plan, i, values[i]);
        return out;
    }

    private static byte[] binary(RowPlan plan, byte[] bytes) {
        checkLength(plan, bytes.length);
        return bytes;
    }

    /**
     * Spark's image struct holds OpenCV's layout: rows of interleaved pixels, blue first (BGR or
     * BGRA). Tributary's examples are channel-major RGB(A), as the image-folder reader makes them.
     */
    private static byte[] image(RowPlan plan, Row image) {
        int h = image.getInt(image.fieldIndex("height"));
        int w = image.getInt(image.fieldIndex("width"));
        int c = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = image.getAs("data");
        InputShape shape = plan.shape();
        if (h != shape.height() || w != shape.width() || c != shape.channels()) {
            throw new BadRecord("image " + image.getAs("origin") + " in column " + plan.featuresName() + " is " + c + ","
                    + h + "," + w + " (C,H,W), but " + (plan.shapeGiven() ? "--input-shape is " : "the first image is ")
                    + shape + "; images in a table are not resized");
        }
        if (data == null || (long) data.length != (long) h * w * c) {
            throw new BadRecord("image " + image.getAs("origin") + " in column " + plan.featuresName() + " has "
                    + (data == null ? "no" : String.valueOf(data.length)) + " bytes of data, but " + c + "x" + h + "x"
                    + w + " needs " + ((long) h * w * c));
        }
        byte[] out = new byte[data.length];
        int plane = h * w;
        for (int ch = 0; ch < c; ch++) {
            int from = c >= 3 && ch < 3 ? 2 - ch : ch;
            for (int p = 0; p < plane; p++) out[ch * plane + p] = data[p * c + from];
        }
        return out;
    }

    private static float[] csvColumns(RowPlan plan, List<String> fields) {
        float[] out = new float[plan.shape().size()];
        int k = 0;
        for (int j = 0; j < fields.size(); j++) {
            if (j == plan.labelIndex() || plan.kept().contains(j)) continue;
            out[k++] = csvNumber(plan.header().get(j), fields.get(j));
        }
        return out;
    }

    private static float[] csvDelimited(RowPlan plan, String field) {
        String text = field.trim();
        String[] parts = text.isEmpty() ? new String[0] : DELIMITED.split(text);
        checkLength(plan, parts.length);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = csvNumber(plan.featuresName() + "[" + i + "]", parts[i]);
        }
        return out;
    }

    private static float csvNumber(String name, String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BadRecord("field " + name + " \"" + text + "\" is not a number; features must be finite numbers");
        }
        return finite(name, v);
    }

    private static void checkLength(RowPlan plan, int length) {
        if (length != plan.shape().size()) {
            throw new BadRecord("column " + plan.featuresName() + " has " + length + " values, but "
                    + (plan.shapeGiven() ? "--input-shape " : "the input shape ") + plan.shape() + " needs "
                    + plan.shape().size());
        }
    }

    private static float finite(RowPlan plan, int index, double v) {
        return finite(plan.featuresName() + "[" + index + "]", v);
    }

    private static float finite(String name, double v) {
        float f = (float) v;
        if (!Float.isFinite(f)) {
            throw new BadRecord(name + " is " + v + "; features must be finite numbers"
                    + (Double.isFinite(v) ? " within the 32-bit float range" : ""));
        }
        return f;
    }
}
