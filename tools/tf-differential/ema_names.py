"""What TF names ExponentialMovingAverage shadows and what
`variables_to_restore` and the collections hold (checked by
tests/tests/tf1_api.rs `moving_averages_shadow_and_substitute`).

    TF_USE_LEGACY_KERAS=1 python ema_names.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()
with tf1.Graph().as_default():
    with tf1.variable_scope("layer"):
        w = tf1.get_variable("w", [2])
    ema = tf1.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    print("shadow:", ema.average(w).name)
    print("variables_to_restore:", sorted(ema.variables_to_restore().keys()))
    with tf1.variable_scope("outer"):
        with tf1.name_scope("ns"):
            v = tf1.Variable([1.0], name="v")
            ema.apply([v])
    print("shadow made in outer/ns:", ema.average(v).name)
    avg = tf1.train.ExponentialMovingAverage(0.5, name="avg")
    avg.apply([w])
    print("other name:", avg.average(w).name)
    print("moving_average_variables:", [x.name for x in tf1.moving_average_variables()])
