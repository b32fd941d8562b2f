"""Checks that real TensorFlow restores a checkpoint of partitioned
variables that scope saved (tests/examples/write_partitioned.rs), into
partitioned variables of other partitionings and into unpartitioned ones.

    cargo run -p scope-tests --example write_partitioned -- /tmp/part-ckpt
    TF_USE_LEGACY_KERAS=1 python partitioned_roundtrip.py /tmp/part-ckpt

Prints one line per case and exits 1 if any value differs.
"""
import sys

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

CKPT = sys.argv[1] + "/model.ckpt"
SHAPES = {"emb/w": [10, 3], "dense/w": [2, 9]}
failed = False
for label, partitioner in [
    ("as saved", {"emb/w": tf1.fixed_size_partitioner(4, 0), "dense/w": tf1.fixed_size_partitioner(3, 1)}),
    ("other partitions", {"emb/w": tf1.fixed_size_partitioner(3, 0), "dense/w": tf1.fixed_size_partitioner(2, 1)}),
    ("unpartitioned", {"emb/w": None, "dense/w": None}),
]:
    graph = tf1.Graph()
    with graph.as_default():
        made = {}
        for name, shape in SHAPES.items():
            scope, var = name.split("/")
            with tf1.variable_scope(scope, partitioner=partitioner[name]):
                made[name] = tf1.get_variable(var, shape)
        saver = tf1.train.Saver()
        with tf1.Session() as sess:
            saver.restore(sess, CKPT)
            for name, shape in SHAPES.items():
                got = sess.run(tf.convert_to_tensor(made[name]))
                want = 0.5 * np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
                ok = np.array_equal(got, want)
                failed |= not ok
                print(f"{label}: {name} {'restored exactly' if ok else 'DIFFERS'}")
sys.exit(1 if failed else 0)
