package io.tributary.job.read;

import java.util.Collections;

/** Reads one row's label on an executor as a class index; throws {@link BadRecord} for a missing, non-integer or out-of-range label. */
final class LabelReader {
    private LabelReader() {
    }

    static int read(RowPlan plan, Object value) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            throw new BadRecord("column " + plan.labelName() + " is " + (value == null ? "null" : "empty")
                    + "; every example needs a label (" + plan.labelRule() + ")");
        }
        return switch (plan.labels()) {
            case INTEGRAL -> inRange(plan, whole(plan, (Number) value), value);
            case NUMBER_TEXT -> inRange(plan, integer(plan, (String) value), value);
            case NAMES -> name(plan, (String) value);
        };
    }

    /** An integral column's value, or a floating-point one's (Spark ML's labels are doubles) when it is a whole number. */
    private static long whole(RowPlan plan, Number n) {
        if (!(n instanceof Double || n instanceof Float)) return n.longValue();
        double d = n.doubleValue();
        // NaN fails the first test: NaN equals nothing.
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return (long) d;
        throw new BadRecord("label " + n + " in column " + plan.labelName() + " is not a whole number; "
                + plan.labelRule());
    }

    private static long integer(RowPlan plan, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            double d;
            try {
                d = Double.parseDouble(text);
            } catch (NumberFormatException e2) {
                d = Double.NaN;
            }
            // "3.0" is the integer 3; "3.5", "NaN" and words are not integers.
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return (long) d;
            throw new BadRecord("label \"" + text + "\" in column " + plan.labelName() + " is not an integer; "
                    + plan.labelRule());
        }
    }

    private static int inRange(RowPlan plan, long label, Object value) {
        if (label < 0 || label >= plan.numClasses()) {
            throw new BadRecord("label " + value + " in column " + plan.labelName() + " is out of range; " + plan.labelRule());
        }
        return (int) label;
    }

    private static int name(RowPlan plan, String value) {
        int i = Collections.binarySearch(plan.classNames(), value);
        if (i < 0) {
            throw new BadRecord("label \"" + value + "\" in column " + plan.labelName() + " is not one of the "
                    + plan.classNames().size() + " class names " + LabelClasses.preview(plan.classNames()));
        }
        return i;
    }
}
