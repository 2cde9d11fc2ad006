package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.DataFingerprint;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The formats {@code --data} may be in, and the {@link DataSource} that reads each: a location's
 * format is the one {@code --format} declares, or for {@code auto} the first whose files its listing
 * shows. The driver lists one directory; it opens no file here.
 */
public final class DataSources {
    /**
     * How one implementation is found and opened.
     *
     * @param formats the {@code --format} values it reads
     * @param detect  the format a location's listing shows, or {@code null} when it shows none of them
     * @param open    the source for a location in one of its formats (the settings carry the format)
     */
    record Kind(Set<DataFormat> formats, Function<FileStatus[], DataFormat> detect, Opener open) {
    }

    /** Opens a source on the driver; reading nothing yet. */
    @FunctionalInterface
    interface Opener {
        DataSource open(String location, DataConfig config, Configuration hadoopConf);
    }

    /** Asked in this order for {@code auto}: IDX files first, then table files, then class folders. */
    private static final List<Kind> KINDS = List.of(
            new Kind(EnumSet.of(DataFormat.IDX), IdxSource::detect, IdxSource::open),
            new Kind(EnumSet.of(DataFormat.PARQUET, DataFormat.ORC, DataFormat.CSV, DataFormat.TABLE),
                    TableRows::detect, TableRows::open),
            new Kind(EnumSet.of(DataFormat.IMAGES), ImageFolderRows::detect, ImageFolderRows::open));

    private DataSources() {
    }

    /** The data at {@code location} (a URI or {@code table:NAME}) in its format ({@link #resolve}). */
    public static DataSource open(String location, DataConfig config, Configuration hadoopConf) {
        DataFormat format = resolve(location, config.format(), hadoopConf);
        for (Kind kind : KINDS) {
            if (kind.formats().contains(format)) {
                return kind.open().open(location, config.withFormat(format), hadoopConf);
            }
        }
        throw new IllegalArgumentException("no data source reads " + format.label());
    }

    /** The format of {@code location}: {@code declared}, or for {@code auto} what its content shows. */
    public static DataFormat resolve(String location, DataFormat declared, Configuration hadoopConf) {
        if (location.startsWith(TableRows.TABLE_PREFIX)) {
            return DataFormat.TABLE;
        }
        if (declared != DataFormat.AUTO) {
            return declared;
        }
        HadoopFs.Location loc = HadoopFs.resolve("data", location, hadoopConf);
        FileStatus[] entries;
        try {
            FileStatus status = loc.fs().getFileStatus(loc.path());
            entries = status.isDirectory() ? loc.fs().listStatus(loc.path()) : new FileStatus[] {status};
        } catch (FileNotFoundException e) {
            throw new InputException("Data " + loc + " does not exist");
        } catch (IOException e) {
            throw new InputException("Cannot read " + loc + ": " + HadoopFs.describe(e));
        }
        for (Kind kind : KINDS) {
            DataFormat format = kind.detect().apply(entries);
            if (format != null) {
                return format;
            }
        }
        throw new InputException("Cannot tell the format of " + loc + ": it holds no IDX files (train-images-idx3-ubyte"
                + "[.gz]), no Parquet, ORC or CSV files and no class folders; give --" + TrainKeys.FORMAT.name()
                + " idx|parquet|orc|csv|images|table");
    }

    /** The fingerprint of the data at {@code location}, from its listing ({@link DataFingerprint}). */
    public static Map<String, Object> fingerprint(String location, Configuration hadoopConf) {
        if (location.startsWith(TableRows.TABLE_PREFIX)) {
            return Map.of("location", location, "sha256", "", "method", "a table: no files to fingerprint");
        }
        return DataFingerprint.of(HadoopFs.resolve("data", location, hadoopConf));
    }
}
