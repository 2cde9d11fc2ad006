package io.tributary.job.read;

/** How a row's label is stored, and so how an executor turns it into a class index. */
enum LabelKind {
    /** A byte, short, int or long column holding the index, or a float or double one holding it as a whole number. */
    INTEGRAL,
    /** A string column of class names, mapped to their index among the sorted names. */
    NAMES,
    /** A CSV field holding the index as a number. */
    NUMBER_TEXT
}
