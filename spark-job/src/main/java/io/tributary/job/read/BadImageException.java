package io.tributary.job.read;

/**
 * An image file that cannot become an example; the message is the reason, worded to follow the
 * file's path ("is not a JPEG, PNG, GIF or BMP image"). Checked, so each caller decides whether the
 * file fails the run or is skipped and counted.
 */
final class BadImageException extends Exception {
    BadImageException(String reason) {
        super(reason);
    }
}
