"""Run slim / arg_scope scenarios (tests/conformance-own/slim/FORMAT-slim.md)
through real TF1 graph mode with tf-slim 1.1.0 and write their expect arrays.

    TFPY slim_run_tf.py FILE.json ...          # rewrites each file's `expect`
    TFPY slim_run_tf.py --check FILE.json ...  # compares, writes nothing

Extends run_tf.py's Runner (every core, layer and tf1-api step still works)
with the `slim`, `arg_scope` and `named_outputs` steps.
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_tf
from run_tf import tf, tf1, init_of, reg_of
import tf_keras
import tf_keras.src.legacy_tf_layers.normalization
sys.modules['tf_keras.legacy_tf_layers.normalization'] = tf_keras.src.legacy_tf_layers.normalization
import tf_slim as slim
from tensorflow.python.framework import ops as _ops
# tf-slim 1.1.0's `utils.smart_cond` (rank-2 batch_norm, slim's fused
# path) tests `isinstance(pred, ops.Tensor)`; TF 2.21 no longer has
# `ops.Tensor`. Give it back, as the TF versions tf-slim was written for had.
if not hasattr(_ops, "Tensor"): _ops.Tensor = tf.Tensor
from tf_slim.ops.arg_scope import add_arg_scope

ACT = {"relu": tf.nn.relu, "tanh": tf.nn.tanh, None: None}
NORM = {"batch_norm": slim.batch_norm, "layer_norm": slim.layer_norm, None: None}

@add_arg_scope
def user_block(inputs, num_outputs, stride=1, activation_fn=tf.nn.relu, scope=None):
    """A user layer function under add_arg_scope: two slim convs in one scope."""
    with tf1.variable_scope(scope, "user_block", [inputs]):
        net = slim.conv2d(inputs, num_outputs, [1, 1], stride=stride, activation_fn=activation_fn, scope="a")
        return slim.conv2d(net, num_outputs, [3, 3], activation_fn=activation_fn, scope="b")

FN = {"conv2d": slim.conv2d, "separable_conv2d": slim.separable_conv2d,
      "fully_connected": slim.fully_connected, "batch_norm": slim.batch_norm,
      "layer_norm": slim.layer_norm, "max_pool2d": slim.max_pool2d, "avg_pool2d": slim.avg_pool2d,
      "dropout": slim.dropout, "flatten": slim.flatten, "user_block": user_block}
POSITIONAL = {"conv2d": ["num_outputs", "kernel_size"], "separable_conv2d": ["num_outputs", "kernel_size"],
              "fully_connected": ["num_outputs"], "max_pool2d": ["kernel_size"], "avg_pool2d": ["kernel_size"],
              "user_block": ["num_outputs"]}

def slim_init(spec):
    if spec is None: return None
    (k, a), = spec.items()
    if k == "variance_scaling": return slim.variance_scaling_initializer(**a)
    if k == "xavier": return slim.xavier_initializer()
    return init_of(spec)

class SlimRunner(run_tf.Runner):
    def value(self, k, v):
        if k == "reuse": return tf1.AUTO_REUSE if v == "auto" else v
        if k.endswith("_initializer"): return slim_init(v)
        if k == "param_initializers": return {n: slim_init(i) for n, i in v.items()}
        if k.endswith("_regularizer"): return reg_of(v)
        if k == "activation_fn": return ACT[v]
        if k == "normalizer_fn": return NORM[v]
        if k == "normalizer_params": return {n: self.value(n, x) for n, x in v.items()}
        if k == "scope": return self.ref(v)
        if isinstance(v, list): return list(v)
        return v

    def kwargs(self, d, skip=()):
        return {k: self.value(k, v) for k, v in d.items() if k not in skip}

    def slim_layer(self, s):
        kind = s["slim"]
        pos = POSITIONAL.get(kind, [])
        args = [self.value(k, s[k]) for k in pos]
        kw = self.kwargs(s, skip=("slim", "input", "capture", *pos))
        inp = s["input"]
        if isinstance(inp, dict): x = self.labels[inp["ref"]]
        else:
            with self.g.name_scope(None):
                x = tf1.placeholder(tf.float32, inp, name="layer_input")
        run_tf._REQUESTS.append([])
        try:
            y = FN[kind](x, *args, **kw)
        except Exception as e:
            return self.err(e)
        finally:
            reqs = run_tf._REQUESTS.pop()
        trainable = self.g.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
        self.out.append({"ok": y.name, "shape": y.shape.as_list(),
                         "vars": [[v.name, self.ordinal(v), v.shape.as_list(), any(v is t for t in trainable)] for v in reqs]})
        if "capture" in s: self.labels[s["capture"]] = y

    def step(self, s):
        if "slim" in s:
            return self.slim_layer(s)
        if "arg_scope" in s:
            a = s["arg_scope"]
            try:
                if isinstance(a, dict):
                    cm = slim.arg_scope(self.labels[a["ref"]])
                else:
                    cm = slim.arg_scope([FN[f] for f in a], **self.kwargs(s.get("args", {})))
                sc = cm.__enter__()
            except Exception as e:
                return self.err(e)
            try:
                self.out.append({"ok": ""})
                if "capture" in s: self.labels[s["capture"]] = sc
                self.steps(s.get("body", []))
            finally:
                cm.__exit__(None, None, None)
            return
        if "named_outputs" in s:
            d = slim.utils.convert_collection_to_dict(s["named_outputs"])
            self.out.append({"ok": list(d.keys())})
            return
        return super().step(s)

run_tf.Runner = SlimRunner

def main(args):
    check = bool(args) and args[0] == "--check"
    if check: args = args[1:]
    bad = 0
    for path in args:
        d = json.load(open(path))
        got = run_tf.run(d["steps"])
        if check:
            if run_tf.strip(got) != run_tf.strip(d.get("expect", [])):
                bad += 1; print("DIFF", path)
        else:
            d["expect"] = got
            with open(path, "w") as f:
                json.dump(d, f, indent=2, ensure_ascii=False); f.write("\n")
    if check: print("%d of %d agree" % (len(args) - bad, len(args)))
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
