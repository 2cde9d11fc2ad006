package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.io.DataLinks;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image folder as the driver sees it by listing names (it never opens a file): one subdirectory
 * of the root per class, the classes sorted by name (label {@code i} is the {@code i}-th name), and
 * how many image files each class folder holds, counting its nested folders. Names Spark's file
 * sources leave out ({@link ImageFiles#isHidden}) are left out here too, and a symbolic link is
 * refused unless it leads to a file inside the folder ({@link DataLinks}), before Spark lists it.
 *
 * @param images      the image files of each class, in the order of {@code classNames}
 * @param unlabelled  image files directly under the root, which belong to no class and are not read
 * @param ignored     files that are not images by their extension, counted by extension ({@code ""}: none)
 */
record ImageFolder(HadoopFs.Location root, List<String> classNames, List<Long> images, long unlabelled,
                   SortedMap<String, Long> ignored) {
    /** Extensions counted one by one in {@code ignored}; the rest are counted under {@code "..."}. */
    private static final int DISTINCT_IGNORED = 20;

    /**
     * Lists {@code root}.
     *
     * @throws InputException when the root is missing or not a directory, holds no class folder, or
     *         a class folder holds no image
     */
    static ImageFolder list(HadoopFs.Location root) {
        FileSystem fs = root.fs();
        try {
            if (!fs.getFileStatus(root.path()).isDirectory()) {
                throw new InputException("Data location " + root + " is not a directory; an image folder is a "
                        + "directory with one subdirectory per class");
            }
            SortedMap<String, Long> classes = new TreeMap<>();
            SortedMap<String, Long> ignored = new TreeMap<>();
            long unlabelled = 0;
            FileStatus emptyClass = null;
            long othersInEmptyClass = 0;
            DataLinks links = DataLinks.under(root);
            for (FileStatus child : fs.listStatus(root.path())) {
                String name = child.getPath().getName();
                if (ImageFiles.isHidden(name)) continue;
                links.check(child);
                if (child.isDirectory()) {
                    long[] counts = countFiles(fs, child.getPath(), ignored, links);
                    classes.put(name, counts[0]);
                    if (counts[0] == 0 && (emptyClass == null || name.compareTo(emptyClass.getPath().getName()) < 0)) {
                        emptyClass = child;
                        othersInEmptyClass = counts[1];
                    }
                } else if (ImageFiles.isImage(name)) {
                    unlabelled++;
                } else {
                    countIgnored(ignored, name);
                }
            }
            if (classes.isEmpty()) {
                throw new InputException("Data directory " + root + " holds no class folders; an image folder holds "
                        + "one subdirectory per class, named after the class, with " + ImageFiles.NAMES + " files"
                        + (unlabelled > 0 ? " (the " + unlabelled + " images directly under it belong to no class)" : ""));
            }
            if (emptyClass != null) {
                throw new InputException("Class folder " + emptyClass.getPath() + " holds no image; every "
                        + "class folder needs at least one " + ImageFiles.NAMES + " file"
                        + (othersInEmptyClass > 0 ? " (its " + othersInEmptyClass + " other files are ignored)" : ""));
            }
            return new ImageFolder(root, List.copyOf(classes.keySet()), List.copyOf(classes.values()), unlabelled,
                    ignored);
        } catch (FileNotFoundException e) {
            throw new InputException("Data directory " + root + " does not exist");
        } catch (IOException e) {
            throw new InputException("Cannot read data directory " + root + ": " + HadoopFs.describe(e));
        }
    }

    /** Image files (index 0) and other files (index 1) under {@code dir}, at any depth, by name only. */
    private static long[] countFiles(FileSystem fs, Path dir, SortedMap<String, Long> ignored, DataLinks links)
            throws IOException {
        long[] counts = new long[2];
        // An explicit stack rather than recursion: a deep tree must not overflow the driver's stack.
        Deque<Path> dirs = new ArrayDeque<>(List.of(dir));
        while (!dirs.isEmpty()) {
            RemoteIterator<FileStatus> it = fs.listStatusIterator(dirs.pop());
            while (it.hasNext()) {
                FileStatus s = it.next();
                String name = s.getPath().getName();
                if (ImageFiles.isHidden(name)) continue;
                links.check(s);
                if (s.isDirectory()) {
                    dirs.push(s.getPath());
                } else if (ImageFiles.isImage(name)) {
                    counts[0]++;
                } else {
                    counts[1]++;
                    countIgnored(ignored, name);
                }
            }
        }
        return counts;
    }

    private static void countIgnored(SortedMap<String, Long> ignored, String name) {
        String ext = ImageFiles.extension(name);
        String key = ignored.containsKey(ext) || ignored.size() < DISTINCT_IGNORED ? ext : "...";
        ignored.merge(key, 1L, Long::sum);
    }

    /** All image files in class folders. */
    long imageCount() {
        return images.stream().mapToLong(Long::longValue).sum();
    }

    /** The classes with their image counts, as {@code cat: 120, dog: 98}, the first {@code max} of them. */
    String classSummary(int max) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < classNames.size() && i < max; i++) parts.add(classNames.get(i) + ": " + images.get(i));
        if (classNames.size() > max) parts.add("... (" + (classNames.size() - max) + " more)");
        return String.join(", ", parts);
    }

    /** What the listing left out, as one clause, or {@code null} when nothing was. */
    String ignoredSummary() {
        List<String> parts = new ArrayList<>();
        if (!ignored.isEmpty()) {
            long files = ignored.values().stream().mapToLong(Long::longValue).sum();
            List<String> exts = new ArrayList<>();
            for (Map.Entry<String, Long> e : ignored.entrySet()) {
                String ext = e.getKey().isEmpty() ? "no extension" : e.getKey().equals("...") ? "others" : "." + e.getKey();
                exts.add(ext + ": " + e.getValue());
            }
            parts.add(files + " files that are not " + ImageFiles.NAMES + " by name (" + String.join(", ", exts) + ")");
        }
        if (unlabelled > 0) {
            parts.add(unlabelled + " images directly under " + root + ", outside any class folder");
        }
        return parts.isEmpty() ? null : String.join(" and ", parts);
    }
}
