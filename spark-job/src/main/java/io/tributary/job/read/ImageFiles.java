package io.tributary.job.read;

import java.util.Locale;
import java.util.Set;

/**
 * Which files of an image folder are images, and which names Spark's file sources never list. The
 * driver's listing and Spark's {@code binaryFile} scan apply the same rules, so what the driver
 * counts is what executors read.
 */
final class ImageFiles {
    /** The file extensions read as images, in lower case; matched without regard to case. */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp");

    /** The extensions for messages. */
    static final String NAMES = ".jpg, .jpeg, .png, .gif or .bmp";

    /**
     * {@code binaryFile}'s {@code pathGlobFilter} for {@link #EXTENSIONS}. Hadoop's globs match case,
     * so each letter is a class of both cases ({@code Photo.JPG} is an image too).
     */
    static final String GLOB = "*.{" + String.join(",", EXTENSIONS.stream().sorted().map(ImageFiles::anyCase).toList()) + "}";

    private ImageFiles() {
    }

    private static String anyCase(String extension) {
        StringBuilder b = new StringBuilder();
        for (char c : extension.toCharArray()) {
            b.append('[').append(Character.toLowerCase(c)).append(Character.toUpperCase(c)).append(']');
        }
        return b.toString();
    }

    /** True for a file name with one of the image extensions. */
    static boolean isImage(String name) {
        return EXTENSIONS.contains(extension(name));
    }

    /** The name's extension in lower case, or the empty string when it has none. */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * True for a file or directory name that Spark's file listing leaves out (and its children with
     * it): names starting with {@code .} or {@code _} (unless they hold {@code =}, or are Parquet's
     * {@code _metadata} files) and files still being copied ({@code ._COPYING_}). The same rule as
     * Spark's {@code HadoopFSUtils.shouldFilterOutPathName}.
     */
    static boolean isHidden(String name) {
        boolean exclude = (name.startsWith("_") && !name.contains("=")) || name.startsWith(".")
                || name.endsWith("._COPYING_");
        boolean include = name.startsWith("_common_metadata") || name.startsWith("_metadata");
        return exclude && !include;
    }
}
