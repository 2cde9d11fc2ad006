#!/usr/bin/python3 -s
"""Writes the Keras 2 HDF5 fixtures in this directory and their reference outputs.

Keras/TensorFlow cannot be installed where Tributary is built, so the files are written with h5py
in the layout `model.save("x.h5")` produces with tf.keras 2.10 (the legacy HDF5 format):

  /                        attrs keras_version, backend (str), model_config, training_config
                           (JSON encoded to bytes, as Keras does)
  /model_weights           attrs layer_names (list of bytes), backend, keras_version (bytes)
  /model_weights/<layer>   attr weight_names: list of bytes, or an empty float64 array for a layer
                           without weights (what h5py makes of Keras's empty list)
  h5py 3 (what TensorFlow 2.10 installs) stores all of these strings as variable-length strings.
  /model_weights/<layer>/<layer>/kernel:0, bias:0   float32 datasets

Kernels are in Keras's layouts: Conv2D [kh, kw, in, out], Dense [in, out].

Why 2.10 and not a later 2.x: from 2.11 on Keras saves its new optimizers as "Custom>Adam" without a
"decay" entry, which DL4J 1.0.0-M2.1's KerasOptimizerUtils cannot map; 2.10 writes "Adam" with
"decay" (the legacy optimizer), which DL4J's training-config import reads.

Weights are quantized (k/256 for small integers k: five values per layer, spread like a
Glorot-uniform init; biases small and non-zero) so that the deflate-compressed files stay small
and every number in the forward pass is exact: the NumPy reference below is an independent
implementation of Keras's channels-last forward pass (valid cross-correlation, 2x2 max pooling with
floor, Flatten in H, W, C order, Dense, softmax), and its logits are exact dyadic rationals, so they
do not depend on summation order or on the BLAS build.

Layout of the reference inputs: HWC (channels_last), as Keras takes them. DL4J 1.0.0-M2.1 imports a
channels_last model with NHWC layers (KerasInput gives InputType.convolutional(h, w, c, NHWC); Conv2D
and pooling get CNN2DFormat.NHWC; Flatten becomes a CnnToFeedForwardPreProcessor in NHWC order, so
the Dense kernels need no row permutation), i.e. the imported network takes [mb, H, W, C]. A network
that is converted to NCHW layers (as Tributary's data and ConvPoolRelu use) takes [mb, C, H, W]: then
the test transposes each input HWC -> CHW and the first Dense kernel's rows must be permuted from HWC
to CHW order, which is what makes the Flatten order visible in the outputs.

Run: python3 common/src/test/resources/keras/generate_fixtures.py  (Debian's python3-h5py; when the
python3 on PATH lacks h5py the script re-runs itself under /usr/bin/python3 -s). It is deterministic:
a second run writes byte-identical files (datasets without HDF5 timestamps).
"""
import json
import math
import os
import sys

SYSTEM_PYTHON = "/usr/bin/python3"

try:
    import h5py
    import numpy as np
except ImportError:
    # A python3 from pyenv/venv may carry its own NumPy but not h5py; Debian's interpreter with
    # user site-packages off (-s) sees the matching python3-numpy and python3-h5py.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, "-s", os.path.abspath(__file__)] + sys.argv[1:])
    sys.exit("generate_fixtures: needs h5py and numpy (Debian: apt-get install python3-h5py)")

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_VERSION = "2.10.0"
BACKEND = "tensorflow"
SCALE = 256  # weights and inputs are multiples of 1/SCALE, exact in float32
EXAMPLES = 3

DL4J_NOTE = ("inputs are HWC (Keras channels_last). DL4J 1.0.0-M2.1 imports channels_last models "
             "with NHWC layers, so the imported network takes [mb, H, W, C]; a network converted to "
             "NCHW layers takes [mb, C, H, W] (transpose each input HWC -> CHW, and permute the first "
             "Dense kernel's rows from Keras's HWC flatten order to CHW). outputs are softmax "
             "probabilities, logits the exact pre-softmax values; compare in float32 with a relative "
             "tolerance of about 1e-5.")


# ---------------------------------------------------------------- weights

def quantized(rng, shape, fan_in, fan_out):
    """Multiples of step/SCALE in {-2, ..., 2} * step, step about half the Glorot-uniform limit:
    a spread like Keras's initializer, with five values only, so deflate compresses them well."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    step = max(1, int(round(limit * SCALE / 2)))
    return (rng.randint(-2, 3, size=shape) * step / SCALE).astype(np.float32)


def small_bias(rng, n):
    # Keras starts biases at zero; non-zero ones make a bias that was not imported visible.
    return (rng.randint(-4, 5, size=n) / SCALE).astype(np.float32)


# ---------------------------------------------------------------- Keras 2.10 layer configs
# Key order as Keras's get_config writes it: the base Layer's keys first, then the layer's own.

def glorot_uniform():
    return {"class_name": "GlorotUniform", "config": {"seed": None}}


def zeros():
    return {"class_name": "Zeros", "config": {}}


def base(name, batch_input_shape=None):
    cfg = {"name": name, "trainable": True}
    if batch_input_shape is not None:
        cfg["batch_input_shape"] = [None] + list(batch_input_shape)
    cfg["dtype"] = "float32"
    return cfg


def input_layer(name, shape):
    return {"class_name": "InputLayer",
            "config": {"batch_input_shape": [None] + list(shape), "dtype": "float32",
                       "sparse": False, "ragged": False, "name": name}}


def conv2d(name, filters, kernel, activation, batch_input_shape=None):
    cfg = base(name, batch_input_shape)
    cfg.update({"filters": filters, "kernel_size": list(kernel), "strides": [1, 1],
                "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
                "groups": 1, "activation": activation, "use_bias": True,
                "kernel_initializer": glorot_uniform(), "bias_initializer": zeros(),
                "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                "kernel_constraint": None, "bias_constraint": None})
    return {"class_name": "Conv2D", "config": cfg}


def max_pooling2d(name, pool):
    cfg = base(name)
    cfg.update({"pool_size": [pool, pool], "padding": "valid", "strides": [pool, pool],
                "data_format": "channels_last"})
    return {"class_name": "MaxPooling2D", "config": cfg}


def flatten(name):
    cfg = base(name)
    cfg["data_format"] = "channels_last"
    return {"class_name": "Flatten", "config": cfg}


def dense(name, units, activation):
    cfg = base(name)
    cfg.update({"units": units, "activation": activation, "use_bias": True,
                "kernel_initializer": glorot_uniform(), "bias_initializer": zeros(),
                "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                "kernel_constraint": None, "bias_constraint": None})
    return {"class_name": "Dense", "config": cfg}


def concatenate(name):
    cfg = base(name)
    cfg["axis"] = -1
    return {"class_name": "Concatenate", "config": cfg}


def node(layer, *inbound):
    """A functional-model layer entry: Keras 2 lists inbound nodes as [[name, node, tensor, kwargs]]."""
    layer = dict(layer)
    layer["name"] = layer["config"]["name"]
    layer["inbound_nodes"] = [[[name, 0, 0, {}] for name in inbound]] if inbound else []
    return layer


def training_config():
    # What model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    # followed by model.save() writes in tf.keras 2.10 (legacy Adam, hyperparameters not yet
    # turned into variables by a training step).
    return {"loss": "categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
            "loss_weights": None,
            "optimizer_config": {"class_name": "Adam",
                                 "config": {"name": "Adam", "learning_rate": 0.001, "decay": 0.0,
                                            "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                                            "amsgrad": False}}}


# ---------------------------------------------------------------- HDF5 writing

def json_bytes(obj):
    # Keras: json.dumps(v, default=get_json_type).encode("utf8")
    return json.dumps(obj).encode("utf8")


def write_h5(path, model_config, layer_weights, with_training_config):
    """layer_weights: [(layer name, [(weight name, array)])] in model.layers order."""
    with h5py.File(path, "w") as f:
        # Keras sets these two from str values: h5py stores them as variable-length strings.
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.attrs["model_config"] = json_bytes(model_config)
        if with_training_config:
            f.attrs["training_config"] = json_bytes(training_config())
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [name.encode("utf8") for name, _ in layer_weights]
        weights.attrs["backend"] = BACKEND.encode("utf8")
        weights.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        for layer, params in layer_weights:
            g = weights.create_group(layer)
            names = [("%s/%s:0" % (layer, w)).encode("utf8") for w, _ in params]
            # As Keras: a list (h5py 3 stores variable-length strings; an empty list becomes an
            # empty float64 array).
            g.attrs["weight_names"] = names
            for name, (_, value) in zip(names, params):
                # One deflate chunk per dataset compresses best; no timestamps, so reruns match.
                g.create_dataset(name.decode("utf8"), data=value, dtype="<f4", chunks=value.shape,
                                 compression="gzip", compression_opts=9, track_times=False)


# ---------------------------------------------------------------- NumPy reference (channels_last)

def conv2d_valid(x, kernel, bias):
    """x [H, W, C], kernel [kh, kw, C, F]: cross-correlation, stride 1, no padding (Keras 'valid')."""
    kh, kw, _, f = kernel.shape
    oh, ow = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            out += x[i:i + oh, j:j + ow, :] @ kernel[i, j]
    return out + bias


def max_pool(x, p):
    oh, ow = x.shape[0] // p, x.shape[1] // p  # floor, as 'valid' pooling drops the remainder
    return x[:oh * p, :ow * p, :].reshape(oh, p, ow, p, x.shape[2]).max(axis=(1, 3))


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits):
    # math.exp on Python floats: the same digits wherever the generator runs.
    m = max(logits)
    e = [math.exp(v - m) for v in logits]
    s = math.fsum(e)
    return [v / s for v in e]


def as64(params):
    return [np.asarray(p, dtype=np.float64) for p in params]


def seed_cnn_logits(x, w):
    k1, b1, k2, b2, k3, b3 = as64(w)
    h = max_pool(relu(conv2d_valid(x, k1, b1)), 2)
    h = h.reshape(-1)  # Keras Flatten, channels_last: H, W, C order (C varies fastest)
    h = relu(h @ k2 + b2)
    return h @ k3 + b3


def two_branch_logits(x, w):
    kc, bc, kd, bd, ko, bo = as64(w)
    a = relu(conv2d_valid(x, kc, bc)).reshape(-1)
    b = relu(x.reshape(-1) @ kd + bd)
    return np.concatenate([a, b]) @ ko + bo


def check_reference(x, w, logits_fn):
    """Scalar re-computation of one conv output and the first logit, and sums of probabilities."""
    k1 = np.asarray(w[0], dtype=np.float64)
    b1 = np.asarray(w[1], dtype=np.float64)
    i, j, f = 5, 7, 3
    by_hand = b1[f] + sum(x[i + di, j + dj, c] * k1[di, dj, c, f]
                          for di in range(k1.shape[0]) for dj in range(k1.shape[1])
                          for c in range(k1.shape[2]))
    assert conv2d_valid(x, k1, b1)[i, j, f] == by_hand, "conv2d_valid disagrees with the scalar sum"
    probs = softmax(list(logits_fn(x, w)))
    assert abs(math.fsum(probs) - 1.0) < 1e-12, "softmax row does not sum to 1"


def scalar_seed_cnn_logit0(x, w):
    """The first logit of the seed model from loops only (no reshape, no matmul): checks the
    Flatten order (H, W, C) that the vectorised reference relies on."""
    k1, b1, k2, b2, k3, b3 = as64(w)
    conv = conv2d_valid(x, k1, b1)
    ph, pw, ch = conv.shape[0] // 2, conv.shape[1] // 2, conv.shape[2]
    flat = {}
    for r in range(ph):
        for c in range(pw):
            for k in range(ch):
                window = [conv[2 * r + a, 2 * c + b, k] for a in (0, 1) for b in (0, 1)]
                flat[(r * pw + c) * ch + k] = max(0.0, max(window))
    hidden = []
    for u in range(k2.shape[1]):
        column = k2[:, u].tolist()
        hidden.append(max(0.0, b2[u] + sum(v * column[n] for n, v in flat.items())))
    return b3[0] + sum(h * k3[n, 0] for n, h in enumerate(hidden))


def scalar_two_branch_logit0(x, w):
    """The first logit of the two-branch model from loops only: Flatten orders and concatenation."""
    kc, bc, kd, bd, ko, bo = as64(w)
    conv = conv2d_valid(x, kc, bc)
    oh, ow, ch = conv.shape
    a = {(r * ow + c) * ch + k: max(0.0, conv[r, c, k])
         for r in range(oh) for c in range(ow) for k in range(ch)}
    pixels = {(r * x.shape[1] + c) * x.shape[2] + k: x[r, c, k]
              for r in range(x.shape[0]) for c in range(x.shape[1]) for k in range(x.shape[2])}
    b = [max(0.0, bd[u] + sum(v * kd[n, u] for n, v in pixels.items())) for u in range(kd.shape[1])]
    merged = [a[n] for n in range(len(a))] + b  # Concatenate([conv branch, dense branch])
    return bo[0] + sum(v * ko[n, 0] for n, v in enumerate(merged))


# ---------------------------------------------------------------- models

def seed_cnn(rng):
    shape = (28, 28, 1)
    k1 = quantized(rng, (3, 3, 1, 32), 9 * 1, 9 * 32)
    b1 = small_bias(rng, 32)
    k2 = quantized(rng, (13 * 13 * 32, 128), 13 * 13 * 32, 128)
    b2 = small_bias(rng, 128)
    k3 = quantized(rng, (128, 10), 128, 10)
    b3 = small_bias(rng, 10)
    config = {"class_name": "Sequential",
              "config": {"name": "sequential",
                         "layers": [input_layer("conv2d_input", shape),
                                    conv2d("conv2d", 32, (3, 3), "relu", batch_input_shape=shape),
                                    max_pooling2d("max_pooling2d", 2),
                                    flatten("flatten"),
                                    dense("dense", 128, "relu"),
                                    dense("dense_1", 10, "softmax")]}}
    # Sequential's model.layers leaves out the InputLayer, so model_weights has no group for it.
    weights = [("conv2d", [("kernel", k1), ("bias", b1)]),
               ("max_pooling2d", []),
               ("flatten", []),
               ("dense", [("kernel", k2), ("bias", b2)]),
               ("dense_1", [("kernel", k3), ("bias", b3)])]
    return shape, config, weights, [k1, b1, k2, b2, k3, b3], seed_cnn_logits


def two_branch(rng):
    shape = (28, 28, 1)
    kc = quantized(rng, (3, 3, 1, 4), 9 * 1, 9 * 4)
    bc = small_bias(rng, 4)
    kd = quantized(rng, (28 * 28 * 1, 16), 28 * 28, 16)
    bd = small_bias(rng, 16)
    ko = quantized(rng, (26 * 26 * 4 + 16, 10), 26 * 26 * 4 + 16, 10)
    bo = small_bias(rng, 10)
    # x = Input((28, 28, 1)); a = Flatten()(Conv2D(4, 3, activation="relu")(x))
    # b = Dense(16, activation="relu")(Flatten()(x)); out = Dense(10, "softmax")(Concatenate()([a, b]))
    # Layers in the order Keras's functional model lists them (by depth, inputs first).
    layers = [node(input_layer("input_1", shape)),
              node(conv2d("conv2d", 4, (3, 3), "relu"), "input_1"),
              node(flatten("flatten_1"), "input_1"),
              node(flatten("flatten"), "conv2d"),
              node(dense("dense", 16, "relu"), "flatten_1"),
              node(concatenate("concatenate"), "flatten", "dense"),
              node(dense("dense_1", 10, "softmax"), "concatenate")]
    config = {"class_name": "Functional",
              "config": {"name": "model", "layers": layers,
                         "input_layers": [["input_1", 0, 0]],
                         "output_layers": [["dense_1", 0, 0]]}}
    # A functional model's model.layers includes its InputLayer.
    weights = [("input_1", []),
               ("conv2d", [("kernel", kc), ("bias", bc)]),
               ("flatten_1", []),
               ("flatten", []),
               ("dense", [("kernel", kd), ("bias", bd)]),
               ("concatenate", []),
               ("dense_1", [("kernel", ko), ("bias", bo)])]
    return shape, config, weights, [kc, bc, kd, bd, ko, bo], two_branch_logits


# ---------------------------------------------------------------- reference JSON

def nested(a):
    return json.dumps(a.tolist(), separators=(",", ":"))


def write_reference(path, model_file, shape, inputs, logits, probs):
    # One key per line and one example per line, so a diff shows which example changed.
    lines = ["{",
             '"model": %s,' % json.dumps(model_file),
             '"input_shape": %s,' % json.dumps(list(shape)),
             '"layout": "channels_last",',
             '"dl4j_input": %s,' % json.dumps(DL4J_NOTE),
             '"inputs": [',
             ",\n".join(nested(x) for x in inputs),
             "],",
             '"logits": [',
             ",\n".join(json.dumps([float(v) for v in row]) for row in logits),
             "],",
             '"outputs": [',
             ",\n".join(json.dumps(row) for row in probs),
             "]",
             "}"]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def generate(name, build, seed, variants, scalar_logit0):
    rng = np.random.RandomState(seed)  # the legacy generator: its stream is fixed across NumPy versions
    shape, config, weights, params, logits_fn = build(rng)
    inputs = [rng.randint(0, SCALE, size=shape) / SCALE for _ in range(EXAMPLES)]
    logits = [logits_fn(x, params) for x in inputs]
    for x in inputs:
        check_reference(x, params, logits_fn)
    assert scalar_logit0(inputs[0], params) == logits[0][0], name + ": loop and vectorised logits differ"
    probs = [softmax(list(row)) for row in logits]
    for file_name, with_training in variants:
        write_h5(os.path.join(HERE, file_name), config, weights, with_training)
    write_reference(os.path.join(HERE, name + ".json"), name + ".h5", shape, inputs, logits, probs)


# ---------------------------------------------------------------- bad-input fixtures (no reference outputs)

def layer_normalization(name):
    # A real Keras 2 layer that DL4J 1.0.0-M2.1's import does not map.
    cfg = base(name)
    cfg.update({"axis": [1], "epsilon": 0.001, "center": True, "scale": True,
                "beta_initializer": zeros(), "gamma_initializer": {"class_name": "Ones", "config": {}},
                "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                "gamma_constraint": None})
    return {"class_name": "LayerNormalization", "config": cfg}


def write_bad_inputs():
    """Small files for the import's refusals: a layer DL4J cannot import, a model whose loss cannot be
    inferred without its training config, a file without model_config, a model_config nested deeper
    than any Keras model."""
    rng = np.random.RandomState(20)
    k1, b1 = quantized(rng, (8, 4), 8, 4), small_bias(rng, 4)
    k2, b2 = quantized(rng, (4, 2), 4, 2), small_bias(rng, 2)
    ones, zero = np.ones(4, dtype=np.float32), np.zeros(4, dtype=np.float32)

    def sequential(layers):
        return {"class_name": "Sequential",
                "config": {"name": "sequential", "layers": [input_layer("dense_input", (8,))] + layers}}

    unsupported = sequential([dense("dense", 4, "relu"), layer_normalization("layer_normalization"),
                              dense("dense_1", 2, "softmax")])
    write_h5(os.path.join(HERE, "unsupported_layer.h5"), unsupported,
             [("dense", [("kernel", k1), ("bias", b1)]),
              ("layer_normalization", [("gamma", ones), ("beta", zero)]),
              ("dense_1", [("kernel", k2), ("bias", b2)])], True)

    # Last activation linear (logits) and no training config: no loss to infer.
    logits = sequential([dense("dense", 4, "relu"), dense("dense_1", 2, "linear")])
    write_h5(os.path.join(HERE, "linear_no_training_config.h5"), logits,
             [("dense", [("kernel", k1), ("bias", b1)]), ("dense_1", [("kernel", k2), ("bias", b2)])], False)

    with h5py.File(os.path.join(HERE, "no_model_config.h5"), "w") as f:
        # What model.save_weights("x.h5") writes: weights without the model's architecture.
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.create_group("model_weights").attrs["layer_names"] = []

    deep = {"class_name": "Sequential", "config": {"name": "sequential", "layers": []}}
    nest = deep["config"]
    for _ in range(200):
        nest["nested"] = {}
        nest = nest["nested"]
    write_h5(os.path.join(HERE, "deep_model_config.h5"), deep, [], False)


def main():
    generate("seed_cnn", seed_cnn, 18,
             [("seed_cnn.h5", True), ("seed_cnn_no_training_config.h5", False)], scalar_seed_cnn_logit0)
    generate("two_branch", two_branch, 19, [("two_branch.h5", True)], scalar_two_branch_logit0)
    write_bad_inputs()
    print("generate_fixtures: wrote seed_cnn.h5, seed_cnn_no_training_config.h5, two_branch.h5, "
          "their .json references, and unsupported_layer.h5, linear_no_training_config.h5, "
          "no_model_config.h5, deep_model_config.h5 to " + HERE)


if __name__ == "__main__":
    main()
