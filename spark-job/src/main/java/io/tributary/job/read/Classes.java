package io.tributary.job.read;

import java.io.Serializable;
import java.util.List;

/**
 * The classes a model is trained on: held-out data is read with them, so that its label indices are
 * the training data's, and a held-out class the training data does not have is an error.
 *
 * @param count the number of classes (label indices {@code 0..count-1})
 * @param names the class of each label index when the labels were names (strings, image folders),
 *              sorted; {@code null} when the labels were indices
 */
public record Classes(int count, List<String> names) implements Serializable {
    public Classes {
        if (count < 1) throw new IllegalArgumentException("a class count must be positive, not " + count);
        names = names == null ? null : List.copyOf(names);
        if (names != null && names.size() != count) {
            throw new IllegalArgumentException(names.size() + " class names for " + count + " classes");
        }
    }

    /** The rule held-out labels follow, for messages: "among the training data's 5 classes (0..4)". */
    String rule() {
        return "held-out labels must be among the training data's " + count + " classes ("
                + (names == null ? "0.." + (count - 1) : LabelClasses.preview(names)) + ")";
    }
}
