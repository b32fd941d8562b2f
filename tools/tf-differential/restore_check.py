"""Check that TensorFlow restores checkpoints that scope-checkpoint wrote.

    python tools/tf-differential/restore_check.py FIXTURE_DIR PREFIX [PREFIX ...]

FIXTURE_DIR is a folder made by checkpoint_fixtures.py (its values.json
lists every variable, its dtype, shape, values and, for partitioned ones,
the slices). For each PREFIX (a checkpoint written by scope-checkpoint:
sharded, with slice entries, or with partitioned variables written whole),
a fresh tf.compat.v1 graph builds the same variables, partitioned with
`fixed_size_partitioner` exactly as the slices say, all starting at zero;
`Saver.restore` loads PREFIX and every variable must equal values.json.
Also checks `latest_checkpoint` on PREFIX's directory. Exits 1 on any
difference.
"""
import json
import os
import sys

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_v2_behavior()


def as_json(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return [bool(x) for x in a.reshape(-1)]
    if a.dtype.kind == "c":
        return [[float(x.real), float(x.imag)] for x in a.reshape(-1)]
    if a.dtype.kind in "iu":
        return [int(x) for x in a.reshape(-1)]
    return [float(x) for x in a.astype(np.float64).reshape(-1)]


def check(values, prefix):
    g = tf.Graph()
    with g.as_default():
        made = {}
        for t in values["tensors"]:
            kwargs = {}
            slices = t.get("slices")
            if slices:
                axes = [d for d in range(len(t["shape"]))
                        if len({s["start"][d] for s in slices}) > 1]
                kwargs["partitioner"] = tf1.fixed_size_partitioner(len(slices), axis=axes[0])
            made[t["name"]] = tf1.get_variable(t["name"], t["shape"], dtype=tf.as_dtype(t["dtype"]),
                                               initializer=tf1.zeros_initializer(), **kwargs)
        saver = tf1.train.Saver()
        bad = 0
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            saver.restore(sess, prefix)
            for t in values["tensors"]:
                v = made[t["name"]]
                got = sess.run(v.as_tensor() if hasattr(v, "as_tensor") else v)
                kind = "partitioned into %d" % len(t["slices"]) if t.get("slices") else "plain"
                if as_json(got) != t["values"] or list(got.shape) != t["shape"]:
                    print("  DIFFERENT", t["name"], kind)
                    bad += 1
        latest = tf1.train.latest_checkpoint(os.path.dirname(prefix))
        if os.path.abspath(latest or "") != os.path.abspath(prefix):
            print("  latest_checkpoint gives", latest)
            bad += 1
        n_parts = sum(1 for t in values["tensors"] if t.get("slices"))
        print("%s: TF restored %d variables (%d partitioned), %d differ" %
              (prefix, len(values["tensors"]), n_parts, bad))
        return bad


def main():
    values = json.load(open(os.path.join(sys.argv[1], "values.json")))
    bad = sum(check(values, p) for p in sys.argv[2:])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
