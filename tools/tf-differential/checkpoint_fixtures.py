"""Write the TF-made checkpoint fixtures for partitioned (sliced) variables,
sharded saves over several devices, EMA shadows and optimizer slots.

    python tools/tf-differential/checkpoint_fixtures.py fixtures/checkpoints

Needs TensorFlow (tf.compat.v1 graph mode; made with tensorflow-cpu 2.21.0).
Writes, under OUT:

* `partitioned/`: one device, `Saver(save_relative_paths=True)`: variables
  split by `fixed_size_partitioner` on axis 0, 1 and 2, in 2 to 4 parts
  (uneven ones too), of several dtypes, next to plain variables.
* `partitioned_sharded/`: three CPU devices (`ConfigProto(device_count={"CPU": 3})`),
  partitions placed round-robin on them, `Saver(sharded=True)`: slices of one
  variable spread over several data shards.
* `slots/`: a small model trained one step by Adam, Momentum, RMSProp,
  Adagrad, Adadelta and Ftrl (one variable each), with an
  `ExponentialMovingAverage` of every model variable and `global_step`.

Each folder gets `values.json`: for every variable the saved name, dtype,
full shape, row-major values, and for partitioned ones the slices
(start/length per axis) with the device (= data shard) of each. Values come
from seeded numpy generators; nothing depends on the machine or the time,
and no absolute path is written.
"""
import json
import os
import shutil
import sys
import tempfile

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_v2_behavior()


def json_values(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return [bool(x) for x in a.reshape(-1)]
    if a.dtype.kind == "c":
        return [[float(x.real), float(x.imag)] for x in a.reshape(-1)]
    if a.dtype.kind in "iu":
        return [int(x) for x in a.reshape(-1)]
    return [float(x) for x in a.astype(np.float64).reshape(-1)]


def session(cpus):
    cfg = tf1.ConfigProto(device_count={"CPU": cpus}, inter_op_parallelism_threads=1,
                          intra_op_parallelism_threads=1)
    return tf1.Session(config=cfg)


def fill(sess, variables, rng):
    """Assigns seeded random values to every variable (partitions separately)."""
    out = {}
    for v in variables:
        shape = v.shape.as_list()
        dt = v.dtype.base_dtype
        if dt == tf.bool:
            val = rng.integers(0, 2, shape).astype(bool)
        elif dt.is_integer:
            val = rng.integers(-1000, 1000, shape).astype(dt.as_numpy_dtype)
        elif dt.is_complex:
            val = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt.as_numpy_dtype)
        else:
            val = rng.standard_normal(shape).astype(dt.as_numpy_dtype)
        v.load(val, sess)
        out[v.op.name] = val
    return out


def describe(sess, tensors, partitioned):
    """values.json entries: every saved name with its full value and slices."""
    items = []
    for name, (var, dtype) in sorted(tensors.items()):
        full = sess.run(var.as_tensor() if hasattr(var, "as_tensor") else var)
        item = {"name": name, "dtype": dtype, "shape": list(np.shape(full)),
                "values": json_values(full)}
        if name in partitioned:
            parts = []
            for p in partitioned[name]:
                off = p._get_save_slice_info().var_offset
                shp = p.shape.as_list()
                parts.append({"device": p.device, "start": off, "length": shp})
            item["slices"] = parts
        items.append(item)
    return items


def partitioner_vars(specs, device_fn=None):
    """specs: (name, shape, dtype, parts, axis). Returns name -> PartitionedVariable."""
    made = {}
    for name, shape, dtype, parts, axis in specs:
        kwargs = {}
        if parts:
            kwargs["partitioner"] = tf1.fixed_size_partitioner(parts, axis=axis)
        init = tf1.zeros_initializer()
        if device_fn is not None:
            with tf1.device(device_fn):
                v = tf1.get_variable(name, shape, dtype=dtype, initializer=init, **kwargs)
        else:
            v = tf1.get_variable(name, shape, dtype=dtype, initializer=init, **kwargs)
        made[name] = v
    return made


def restore_full(prefix, items):
    """The full tensors as TF's RestoreV2 kernel reads them (slices assembled)."""
    with tf.Graph().as_default():
        op = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[it["name"] for it in items],
                                  shape_and_slices=[""] * len(items),
                                  dtypes=[tf.as_dtype(it["dtype"]) for it in items])
        with session(1) as sess:
            return sess.run(op)


def save(sess, saver, out, prefix_name):
    os.makedirs(out, exist_ok=True)
    saver.save(sess, os.path.join(out, prefix_name), write_meta_graph=False)
    state = open(os.path.join(out, "checkpoint")).read()
    assert not os.path.isabs(state.split('"')[1]), state


PARTITIONED = [
    ("embed/table", [10, 3], tf.float32, 4, 0),    # uneven: 3, 3, 2, 2 rows
    ("dense/kernel", [2, 9], tf.float32, 3, 1),    # along axis 1
    ("cube", [2, 3, 4], tf.float64, 2, 2),         # along the last axis
    ("ids", [7], tf.int64, 2, 0),                   # 4 + 3
    ("flags", [4, 2], tf.bool, 2, 0),
    ("small", [5], tf.int8, 2, 0),
    ("complex", [3], tf.complex64, 3, 0),
    ("counts", [6, 1], tf.int32, 3, 0),
    ("dense/bias", [9], tf.float32, None, 0),       # plain
    ("global_step", [], tf.int64, None, 0),         # plain
]


def build_partitioned(out, cpus, sharded):
    g = tf.Graph()
    with g.as_default():
        counter = {"n": 0}

        def round_robin(op):
            # Only variables get a device; ops that read them follow.
            if op.type in ("VariableV2", "VarHandleOp"):
                d = "/cpu:%d" % (counter["n"] % cpus)
                counter["n"] += 1
                return d
            return op.device

        made = partitioner_vars(PARTITIONED, round_robin if sharded else None)
        saver = tf1.train.Saver(sharded=sharded, save_relative_paths=True)
        with session(cpus) as sess:
            sess.run(tf1.global_variables_initializer())
            rng = np.random.default_rng(20261201 + cpus)
            allvars = []
            for v in made.values():
                allvars.extend(list(v) if hasattr(v, "_variable_list") else [v])
            fill(sess, allvars, rng)
            tensors = {}
            partitioned = {}
            for name, shape, dtype, parts, axis in PARTITIONED:
                v = made[name]
                tensors[name] = (v, dtype.name)
                if parts:
                    partitioned[name] = list(v)
            items = describe(sess, tensors, partitioned)
            save(sess, saver, out, "model.ckpt")
    # TF's own restore op must give back the full tensors.
    for it, got in zip(items, restore_full(os.path.join(out, "model.ckpt"), items)):
        assert json_values(got) == it["values"], it["name"]
        assert list(got.shape) == it["shape"], it["name"]
    return {"prefix": "model.ckpt", "devices": cpus, "sharded": sharded, "tensors": items}


SLOT_OPTIMIZERS = [
    ("adam", lambda: tf1.train.AdamOptimizer(0.01)),
    ("momentum", lambda: tf1.train.MomentumOptimizer(0.01, 0.9)),
    ("rmsprop", lambda: tf1.train.RMSPropOptimizer(0.01, momentum=0.5)),
    ("adagrad", lambda: tf1.train.AdagradOptimizer(0.01)),
    ("adadelta", lambda: tf1.train.AdadeltaOptimizer(0.01)),
    ("ftrl", lambda: tf1.train.FtrlOptimizer(0.01)),
]


def build_slots(out):
    g = tf.Graph()
    with g.as_default():
        gs = tf1.train.get_or_create_global_step()
        x = tf.constant(np.random.default_rng(5).standard_normal([2, 3]).astype(np.float32))
        model = {}
        train = []
        for i, (opt_name, make) in enumerate(SLOT_OPTIMIZERS):
            with tf1.variable_scope(opt_name):
                w = tf1.get_variable("w", [3, 2], initializer=tf1.random_normal_initializer(seed=i))
                b = tf1.get_variable("b", [2], initializer=tf1.zeros_initializer())
            model[opt_name] = (w, b)
            loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b))
            train.append(make().minimize(loss, var_list=[w, b],
                                         global_step=gs if i == 0 else None))
        ema = tf1.train.ExponentialMovingAverage(0.9, num_updates=gs)
        with tf.control_dependencies(train):
            step = ema.apply([v for pair in model.values() for v in pair])
        saver = tf1.train.Saver(save_relative_paths=True)
        with session(1) as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(step)
            sess.run(step)
            save(sess, saver, out, "model.ckpt")
            # What `ExponentialMovingAverage.variables_to_restore()` maps.
            restore_map = {k: v.op.name for k, v in ema.variables_to_restore().items()}
            r = tf1.train.NewCheckpointReader(os.path.join(out, "model.ckpt"))
            shapes = r.get_variable_to_shape_map()
            dtypes = r.get_variable_to_dtype_map()
            items = []
            for name in sorted(shapes):
                val = r.get_tensor(name)
                items.append({"name": name, "dtype": dtypes[name].name,
                              "shape": list(shapes[name]), "values": json_values(val)})
            model_names = sorted(v.op.name for pair in model.values() for v in pair)
    return {"prefix": "model.ckpt", "tensors": items, "model_variables": model_names,
            "ema_variables_to_restore": dict(sorted(restore_map.items())),
            "optimizers": [n for n, _ in SLOT_OPTIMIZERS]}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")


def main():
    out = sys.argv[1]
    jobs = [
        ("partitioned", lambda d: build_partitioned(d, 1, False)),
        ("partitioned_sharded", lambda d: build_partitioned(d, 3, True)),
        ("slots", build_slots),
    ]
    for name, job in jobs:
        tmp = tempfile.mkdtemp()
        try:
            d = os.path.join(tmp, name)
            os.makedirs(d)
            info = job(d)
            write_json(os.path.join(d, "values.json"), info)
            dest = os.path.join(out, name)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(d, dest)
        finally:
            shutil.rmtree(tmp)
        print("wrote", name, sorted(os.listdir(os.path.join(out, name))))


if __name__ == "__main__":
    main()
