package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs on executors: turns a partition of source rows into rows of {@link ExampleRows}' schema,
 * checking each against the plan's rules. A bad row fails the task with an
 * {@link InputException} naming its file (and line, for CSV), the value and the rule, or is dropped
 * and counted, as the plan's policy says.
 * <p>
 * Source rows are {@code (features, label, file, kept...)} for tables and {@code (fields, file, line)}
 * for CSV lines ({@link CsvLines}); rows to score carry the plan's kept columns after the label, which
 * is {@code null} when the data has none.
 */
final class ExampleConverter implements MapPartitionsFunction<Row, Row> {
    private final RowPlan plan;
    private final LongAccumulator skipped;

    /** @param skipped counts dropped rows under {@link BadRecordPolicy#SKIP}; may be {@code null} */
    ExampleConverter(RowPlan plan, LongAccumulator skipped) {
        this.plan = plan;
        this.skipped = skipped;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        return new Iterator<>() {
            private Row next;

            @Override
            public boolean hasNext() {
                while (next == null && input.hasNext()) next = convert(input.next());
                return next != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                Row r = next;
                next = null;
                return r;
            }
        };
    }

    /** The example, or {@code null} for a bad row that is skipped. */
    Row convert(Row in) {
        try {
            List<String> fields = plan.features().csv() ? csvFields(in) : null;
            Object features = FeatureReader.read(plan, in, fields);
            Integer label = !plan.labelled() ? null
                    : plan.features().csv() ? LabelReader.read(plan, fields.get(plan.labelIndex()))
                    : LabelReader.read(plan, in.get(1));
            if (plan.kept().isEmpty()) {
                return RowFactory.create(features, label);
            }
            Object[] values = new Object[2 + plan.kept().size()];
            values[0] = features;
            values[1] = label;
            for (int k = 0; k < plan.kept().size(); k++) {
                int from = plan.kept().get(k);
                values[2 + k] = fields != null ? fields.get(from) : in.get(from);
            }
            return RowFactory.create(values);
        } catch (BadRecord e) {
            if (plan.policy() == BadRecordPolicy.FAIL) {
                throw new InputException(where(in) + ": " + e.getMessage() + " (--on-bad-record skip leaves such rows out)");
            }
            if (skipped != null) skipped.add(1);
            return null;
        }
    }

    private List<String> csvFields(Row in) {
        if (in.isNullAt(0)) throw new BadRecord("a quoted field is not closed on its line");
        List<String> fields = in.getList(0);
        if (fields.size() != plan.header().size()) {
            throw new BadRecord("the row has " + fields.size() + " fields, but the header has " + plan.header().size());
        }
        return Collections.unmodifiableList(fields);
    }

    /** The row's file (and line), or the source when the row has no file (a table of in-memory data). */
    private String where(Row in) {
        if (plan.features().csv()) return in.getString(1) + ", line " + in.getLong(2);
        String file = in.getString(2);
        return file == null || file.isEmpty() ? plan.source() : file;
    }
}
