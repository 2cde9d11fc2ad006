package io.tributary.job.score;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.Network;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.common.run.RunMetadata;
import io.tributary.common.store.ModelStore;
import org.apache.hadoop.conf.Configuration;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;

/**
 * The model a scoring run uses, as loaded by {@link ModelStore} from a file or a registry version,
 * with what its output records: where it came from, the SHA-256 of the bytes that were loaded, and
 * the class names of its run's {@code metadata.json} ({@code model.class_names}) when it has them.
 *
 * @param registry the registry's location, or {@code null} for {@code --model}
 * @param version  the registry version used, or 0 for {@code --model}
 */
public record ScoringModel(Network network, String location, String sha256, List<String> classNames,
                           String registry, int version) {
    /** A model file, or a run directory holding {@value ModelStore#MODEL_FILE}. */
    public static ScoringModel file(String uri, Configuration conf) {
        return load(HadoopFs.resolve("model", uri, conf), null, 0);
    }

    /** A registry's champion, or {@code version} when given ({@code null}: the champion). */
    public static ScoringModel fromRegistry(String uri, String version, Configuration conf) {
        ModelRegistry registry = ModelRegistry.open(HadoopFs.resolve("registry", uri, conf), false);
        int v;
        if (version != null) {
            v = ModelRegistry.parseVersion(version);
            if (!registry.complete(v)) {
                throw new InputException("Registry " + registry.location() + " has no version "
                        + ModelRegistry.name(v) + " (" + registry.versionDir(v) + " holds no " + ModelStore.MODEL_FILE
                        + "); its versions are " + registry.versions());
            }
        } else {
            OptionalInt champion = registry.champion();
            if (champion.isEmpty()) {
                throw new InputException("Registry " + registry.location() + " has no champion yet; name a version"
                        + " with --version N, or promote one with 'tributary registry promote VERSION'");
            }
            v = champion.getAsInt();
        }
        return load(registry.versionDir(v).child(ModelStore.MODEL_FILE), registry.location().toString(), v);
    }

    private static ScoringModel load(HadoopFs.Location location, String registry, int version) {
        HadoopFs.Location file = location;
        Network net;
        String sha;
        try {
            if (location.fs().getFileStatus(location.path()).isDirectory()) {
                file = location.child(ModelStore.MODEL_FILE);
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(file.fs().open(file.path()), digest)) {
                net = ModelStore.read(file.toString(), in);
                in.transferTo(OutputStream.nullOutputStream());   // the zip reader may stop before the end
            }
            sha = HexFormat.of().formatHex(digest.digest());
        } catch (FileNotFoundException e) {
            throw new InputException("Model " + file + " does not exist");
        } catch (IOException e) {
            throw new InputException("Model " + file + " cannot be read: " + HadoopFs.describe(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new ScoringModel(net, file.toString(), sha, classNames(file), registry, version);
    }

    /** {@code model.class_names} of the run metadata next to the model file, or {@code null}. */
    private static List<String> classNames(HadoopFs.Location file) {
        RunMetadata metadata = RunMetadata.read(new HadoopFs.Location(file.fs(), file.path().getParent()));
        if (metadata == null || metadata.model() == null || metadata.model().classNames() == null) return null;
        return List.copyOf(metadata.model().classNames());
    }

    /** What the output's metadata says of the model. */
    public PredictionMetadata.Model describe() {
        return new PredictionMetadata.Model(location, sha256, registry, registry == null ? null : version,
                network.config().kind(), classNames);
    }
}
