package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.model.hdf5.Hdf5Exception;
import io.tributary.common.model.hdf5.Hdf5File;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The weights of a Keras file against the network its configuration describes, before any is read.
 * DL4J's import reads, for each group under {@value KerasFile#WEIGHTS}, that layer's datasets into
 * arrays sized by what each dataset declares (through an {@code int}), so a declared size is the
 * memory the import takes. Each layer's datasets must be floating point and declare at most the
 * parameters the layer's configuration gives it (fewer is left to DL4J, which fills some, such as a
 * BatchNormalization's gamma when Keras saves none); a group for a layer the configuration does not
 * have may declare none. Then each deflated chunk is inflated once in Java to check its size.
 */
final class KerasWeights {
    private KerasWeights() {
    }

    /** @param layers each DL4J layer's parameter count by name (DL4J keeps Keras's layer names) */
    static void check(String source, Hdf5File h5, Map<String, Long> layers) {
        Hdf5File.Group weights = h5.group(KerasFile.WEIGHTS).orElseThrow(() -> new InputException("Keras model " + source
                + " has no " + KerasFile.WEIGHTS + " group (the model's weights); " + KerasFile.SUPPORTED));
        Map<String, List<Hdf5File.Dataset>> byGroup = new LinkedHashMap<>();
        for (Hdf5File.Dataset d : h5.datasets()) {
            String prefix = KerasFile.WEIGHTS + "/";
            int end = d.path().indexOf('/', prefix.length());
            if (d.path().startsWith(prefix) && end > 0) {
                byGroup.computeIfAbsent(d.path().substring(prefix.length(), end), k -> new ArrayList<>()).add(d);
            }
        }
        for (String member : weights.members()) {
            List<Hdf5File.Dataset> datasets = byGroup.getOrDefault(member, List.of());
            long declared = 0;
            Hdf5File.Dataset largest = null;
            for (Hdf5File.Dataset d : datasets) {
                if (!d.type().isFloat()) {
                    throw new InputException("Keras model " + source + ": dataset " + KerasFile.printable(d.path())
                            + " holds " + d.type().description() + " values; Keras weights are floating point (IEEE"
                            + " half, single or double precision), as DL4J reads them");
                }
                declared = saturatedAdd(declared, d.elements());
                largest = largest == null || d.elements() > largest.elements() ? d : largest;
            }
            long allowed = allowed(layers, member);
            if (declared > allowed) {
                throw tooMany(source, member, declared, largest, allowed, layers);
            }
        }
        for (List<Hdf5File.Dataset> datasets : byGroup.values()) {
            for (Hdf5File.Dataset d : datasets) {
                try {
                    h5.checkValues(d);
                } catch (Hdf5Exception e) {
                    throw KerasFile.refused(source, e);
                }
            }
        }
    }

    /** The parameters of the layer named {@code group}, or of the layers nested under it ({@code group/...}). */
    private static long allowed(Map<String, Long> layers, String group) {
        long n = 0;
        for (Map.Entry<String, Long> layer : layers.entrySet()) {
            if (layer.getKey().equals(group) || layer.getKey().startsWith(group + "/")) {
                n = saturatedAdd(n, layer.getValue());
            }
        }
        return n;
    }

    private static InputException tooMany(String source, String group, long declared, Hdf5File.Dataset largest,
                                          long allowed, Map<String, Long> layers) {
        String layer = "\"" + KerasFile.printable(group) + "\"";
        String what = String.format(Locale.ROOT, "the weights of layer %s declare %,d values (dataset %s alone %,d)",
                layer, declared, KerasFile.printable(largest.path()), largest.elements());
        String rule = allowed(layers, group) > 0 || layers.containsKey(group)
                ? String.format(Locale.ROOT, "more than the %,d parameters its configuration gives it", allowed)
                : "but the model's configuration has no such layer with parameters";
        return new InputException("Keras model " + source + ": " + what + ", " + rule
                + "; a dataset's declared size is what reading it would allocate");
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
