"""Run conformance-format scenarios through real TF1 graph mode and write expect arrays.

Covers the core steps (tests/conformance/FORMAT.md), the layer steps and the
four layer collections (FORMAT.md "Layer steps"), and the custom getters,
partitioners, regularizers and collections of FORMAT-tf1-api.md.

    python run_tf.py FILE.json ...        # rewrites each file's `expect` in place
    python run_tf.py --check FILE.json ... # compares with the files' `expect`, writes nothing

A scenario the script cannot run (a Python error in the script itself, not a
TensorFlow result; e.g. a generated step naming a template label that was
never captured) is reported as SKIP; without --check its file is deleted, so
that a directory of generated scenarios keeps only runnable ones (run it on
copies).
"""
import json, sys, os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy as np
import tensorflow as tf
tf1 = tf.compat.v1
tf1.disable_eager_execution()
from tensorflow.python.ops import variable_scope as _vs_mod

DT = {"float32": tf.float32, "float64": tf.float64, "int32": tf.int32, "int64": tf.int64,
      "float16": tf.float16, "bfloat16": tf.bfloat16}
NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64}

def kind_of(e):
    m = str(e)
    if "already exists" in m: return "AlreadyExists"
    if "does not exist, or was not created" in m: return "NotFound"
    if "Trying to share variable" in m and "shape" in m: return "ShapeMismatch"
    if "Trying to share variable" in m and "dtype" in m: return "DtypeMismatch"
    if "Trying to reuse partitioned variable" in m:
        if "specified shape" in m: return "ShapeMismatch"
        if "specified dtype" in m: return "DtypeMismatch"
        return "PartitionMismatch"
    if ("No partitioner was provided, but a partitioned" in m
            or "A partitioner was provided, but an unpartitioned" in m
            or "different partitioning than what was already found" in m): return "PartitionMismatch"
    if ("Can only slice a variable along one dimension" in m or "Cannot partition variable along axis" in m
            or "Expected 0 <= offset < shape" in m or "partition list that does not match" in m
            or "zero partitions for some axes" in m or m == "list index out of range"): return "InvalidPartitioning"
    if "should be fully defined" in m or "must be fully defined" in m or "Shape of a new variable" in m or "did not get an initializer" in m \
            or "Shape of a new partitioned variable" in m or "The initializer passed is not valid" in m: return "UnknownShape"
    if "is not a valid" in m and "scope name" in m or "is not a valid" in m and "name" in m and "Node name" not in m: return "InvalidName"
    if "Duplicate node name" in m: return "DuplicateName"
    if "Trainable variable created when calling a template" in m: return "TemplateVariableCreated"
    return "InvalidArgument"

def msg_of(e):
    m = str(e)
    i = m.find("originally defined at")
    return m[:i].rstrip() if i >= 0 else m

def init_of(spec):
    if spec is None: return None
    (k, a), = spec.items()
    if k == "zeros": return tf1.zeros_initializer()
    if k == "ones": return tf1.ones_initializer()
    if k == "constant": return tf1.constant_initializer(a)
    if k == "random_uniform": return tf1.random_uniform_initializer()
    if k == "random_normal": return tf1.random_normal_initializer()
    if k == "glorot_uniform": return tf1.glorot_uniform_initializer()
    if k == "value":
        def allint(x):
            return all(allint(y) for y in x) if isinstance(x, list) else isinstance(x, int)
        return np.array(a, dtype=np.int32 if allint(a) else np.float32)
    raise ValueError(k)

def part_of(spec):
    if spec is None: return None
    (k, a), = spec.items()
    if k == "fixed_size":
        return tf1.fixed_size_partitioner(a, axis=spec.get("axis", 0))
    if k == "axis":  # {"fixed_size": N, "axis": A} has two keys
        raise ValueError(spec)
    if k == "min_max":
        kw = {x: a[x] for x in ("axis", "min_slice_size") if x in a}
        return tf1.min_max_variable_partitioner(max_partitions=a["max_partitions"], **kw)
    if k == "variable_axis_size":
        kw = {x: a[x] for x in ("axis", "max_shards") if x in a}
        return tf1.variable_axis_size_partitioner(max_shard_bytes=a["max_shard_bytes"], **kw)
    if k == "partitions":
        return lambda shape, dtype, _p=list(a): list(_p)
    raise ValueError(k)

def part_of_spec(spec):
    if spec is None: return None
    if "fixed_size" in spec:
        return tf1.fixed_size_partitioner(spec["fixed_size"], axis=spec.get("axis", 0))
    return part_of(spec)

def reg_of(spec):
    if spec is None: return None
    import tf_slim
    (k, a), = spec.items()
    if k == "l1": return tf_slim.l1_regularizer(float(a))
    if k == "l2": return tf_slim.l2_regularizer(float(a))
    if k == "l1_l2": return tf_slim.l1_l2_regularizer(float(a[0]), float(a[1]))
    if k == "none": return tf1.no_regularizer
    raise ValueError(k)

def fmt_num(x, dtype):
    if dtype.is_integer: return str(int(x))
    s = str(np.float32(x)) if dtype == tf.float32 else repr(float(x))
    if s.endswith(".0"): s = s[:-2]
    return s

def reuse_str(r):
    return "auto" if r == tf1.AUTO_REUSE else ("true" if r else "false")

ACT = {"relu": tf.nn.relu, "tanh": tf.nn.tanh, None: None}
TUPLE_ARGS = ("kernel_size", "strides", "pool_size", "dilation_rate")

def layer_fn(kind):
    if kind == "layer_norm":
        import tf_slim
        return tf_slim.layers.layer_norm
    return getattr(tf1.layers, kind)

# Every get_variable request a layer makes goes through the variable store;
# while a layer step runs, the store's answers are recorded here.
_REQUESTS = []
_orig_store_get = _vs_mod._VariableStore.get_variable
def _recording_store_get(self, *a, **k):
    v = _orig_store_get(self, *a, **k)
    if _REQUESTS: _REQUESTS[-1].append(v)
    return v
_vs_mod._VariableStore.get_variable = _recording_store_get

class Runner:
    def __init__(self, g):
        self.g = g; self.out = []; self.labels = {}; self.vars = []; self.sess = tf1.Session(graph=g)
        self.bodies = {}; self.log = []
    def created(self, gettercreator, **kw):
        v = gettercreator(**kw)
        self.vars.append(v)
        return v
    def ordinal(self, v):
        for i, w in enumerate(self.vars):
            if w is v: return i
        self.vars.append(v); return len(self.vars) - 1
    def scope_result(self, vs):
        r = vs.reuse
        r = "auto" if r == tf1.AUTO_REUSE else bool(r)
        return {"ok": vs.name, "ns": self.g.get_name_scope(), "original_name_scope": vs.original_name_scope, "reuse": r}
    def value_kind(self, vs):
        if not isinstance(vs, (list, tuple)): vs = [vs]
        firsts = []
        for v in vs:
            a = self.sess.run(v.initial_value); b = self.sess.run(v.initial_value)
            if not np.array_equal(a, b) or (a.size > 1 and not np.all(a == a.flat[0])): return "random"
            if a.size: firsts.append(a.flat[0])
        if firsts and not all(x == firsts[0] for x in firsts): return "random"
        x = firsts[0] if firsts else 0
        if x == 0: return "zeros"
        if x == 1: return "ones"
        return "constant:" + fmt_num(x, vs[0].dtype.base_dtype)

    # ---- custom getters -------------------------------------------------
    def getter_of(self, spec):
        if spec is None: return None
        (k, a), = [(k, v) for k, v in spec.items() if k != "args"]
        if k == "record":
            args = spec.get("args", [])
            def g(getter, name, *p, **kw):
                e = a + ":" + name
                for x in args:
                    if x == "reuse": val = reuse_str(kw.get("reuse"))
                    elif x == "trainable":
                        t = kw.get("trainable"); val = "none" if t is None else ("true" if t else "false")
                    elif x == "dtype": val = tf.as_dtype(kw.get("dtype")).name
                    elif x == "shape":
                        sh = kw.get("shape")
                        if sh is None: val = "none"
                        else:
                            dims = tf.TensorShape(sh).as_list()
                            val = "[" + ",".join("null" if d is None else str(d) for d in dims) + "]"
                    else: raise ValueError(x)
                    e += " %s=%s" % (x, val)
                self.log.append(e)
                return getter(name, *p, **kw)
            return g
        if k == "rename":
            return lambda getter, name, *p, **kw: getter(name + a, *p, **kw)
        if k == "cast":
            return lambda getter, name, *p, **kw: tf.cast(getter(name, *p, **kw), DT[a])
        if k in ("sum_of_two", "combine_two"):
            c = {"suffixes": ["/0", "/1"], "op": "add", "name_scope": "custom_getter"} if k == "sum_of_two" else a
            def g(getter, name, *p, **kw):
                g0 = getter(name + c["suffixes"][0], *p, **kw)
                g1 = getter(name + c["suffixes"][1], *p, **kw)
                with tf1.name_scope(c["name_scope"]):
                    return g0 + g1 if c["op"] == "add" else g0 * g1
            return g
        if k == "identity":
            return lambda getter, name, *p, **kw: tf.identity(getter(name, *p, **kw), name=a)
        if k == "identity_by_reuse":
            return lambda getter, name, *p, **kw: tf.identity(getter(name, *p, **kw), name=a[0] if kw["reuse"] else a[1])
        raise ValueError(k)

    def keys(self, ks):
        return [{"global": tf1.GraphKeys.GLOBAL_VARIABLES, "trainable": tf1.GraphKeys.TRAINABLE_VARIABLES}.get(k, k) for k in ks]

    def get_result(self, v):
        if isinstance(v, _vs_mod.variables.PartitionedVariable):
            parts = list(v)
            return {"ok": v.name, "shape": v.get_shape().as_list(), "dtype": v.dtype.base_dtype.name,
                    "value": self.value_kind(parts),
                    "parts": [[p.name, self.ordinal(p), p.shape.as_list(), list(p._save_slice_info.var_offset)] for p in parts]}
        if isinstance(v, tf.Variable):
            return {"ok": v.name, "var": self.ordinal(v), "shape": v.shape.as_list(),
                    "dtype": v.dtype.base_dtype.name, "value": self.value_kind(v)}
        return {"ok": v.name, "shape": v.shape.as_list(), "dtype": v.dtype.base_dtype.name}

    def steps(self, steps):
        for s in steps: self.step(s)
    def err(self, e):
        self.out.append({"error": kind_of(e), "message": msg_of(e)})
    def ref(self, n):
        if isinstance(n, dict): return self.labels[n["ref"]]
        return n

    def layer(self, s):
        kind = s["layer"]
        kw = {}
        for k, v in s.items():
            if k in ("layer", "input", "capture"): continue
            if k == "reuse": v = tf1.AUTO_REUSE if v == "auto" else v
            elif k.endswith("_initializer"): v = init_of(v)
            elif k in ("activation", "activation_fn"): v = ACT[v]
            elif k in TUPLE_ARGS and isinstance(v, list): v = tuple(v)
            elif k == "axis" and isinstance(v, list): v = list(v)
            elif k in ("name", "scope"): v = self.ref(v)
            kw[k] = v
        inp = s["input"]
        if isinstance(inp, dict): x = self.labels[inp["ref"]]
        else:
            with self.g.name_scope(None):
                x = tf1.placeholder(tf.float32, inp, name="layer_input")
        _REQUESTS.append([])
        try:
            y = layer_fn(kind)(x, **kw)
        except Exception as e:
            return self.err(e)
        finally:
            reqs = _REQUESTS.pop()
        trainable = self.g.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
        self.out.append({"ok": y.name, "shape": y.shape.as_list() if y.shape.dims is not None else None,
                         "vars": [[v.name, self.ordinal(v), v.shape.as_list(), any(v is t for t in trainable)] for v in reqs]})
        if "capture" in s: self.labels[s["capture"]] = y

    def get_kw(self, s):
        kw = {}
        if "shape" in s: kw["shape"] = s["shape"]
        if "dtype" in s: kw["dtype"] = DT[s["dtype"]]
        if "initializer" in s: kw["initializer"] = init_of(s["initializer"])
        if "trainable" in s: kw["trainable"] = s["trainable"]
        if "partitioner" in s: kw["partitioner"] = part_of_spec(s["partitioner"])
        if "regularizer" in s: kw["regularizer"] = reg_of(s["regularizer"])
        if "custom_getter" in s: kw["custom_getter"] = self.getter_of(s["custom_getter"])
        if "collections" in s: kw["collections"] = self.keys(s["collections"])
        return kw

    def step(self, s):
        if "layer" in s:
            return self.layer(s)
        if "name_scope" in s:
            n = s["name_scope"]
            if isinstance(n, dict):
                c = self.labels[n["ref"]]; n = c if isinstance(c, str) else c.original_name_scope
            try:
                cm = tf1.name_scope(n, default_name=s.get("default_name"))
                sc = cm.__enter__()
            except Exception as e:
                return self.err(e)
            try:
                self.out.append({"ok": sc})
                if "capture" in s: self.labels[s["capture"]] = sc
                self.steps(s.get("body", []))
            finally:
                cm.__exit__(None, None, None)
        elif "variable_scope" in s:
            n = self.ref(s["variable_scope"])
            try:
                kw = {}
                if "default_name" in s: kw["default_name"] = s["default_name"]
                if "reuse" in s: kw["reuse"] = tf1.AUTO_REUSE if s["reuse"] == "auto" else s["reuse"]
                if "auxiliary_name_scope" in s: kw["auxiliary_name_scope"] = s["auxiliary_name_scope"]
                if "initializer" in s: kw["initializer"] = init_of(s["initializer"])
                if "dtype" in s: kw["dtype"] = DT[s["dtype"]]
                if "partitioner" in s: kw["partitioner"] = part_of_spec(s["partitioner"])
                if "regularizer" in s: kw["regularizer"] = reg_of(s["regularizer"])
                if "custom_getter" in s: kw["custom_getter"] = self.getter_of(s["custom_getter"])
                cm = tf1.variable_scope(n, **kw)
                vs = cm.__enter__()
            except Exception as e:
                return self.err(e)
            try:
                self.out.append(self.scope_result(vs))
                if "capture" in s: self.labels[s["capture"]] = vs
                self.steps(s.get("body", []))
            finally:
                cm.__exit__(None, None, None)
        elif "variable" in s:
            dt = s.get("dtype", "float32")
            kw = {}
            if "trainable" in s: kw["trainable"] = s["trainable"]
            if "collections" in s: kw["collections"] = self.keys(s["collections"])
            try:
                v = tf1.Variable(np.zeros(s["shape"], NP[dt]), name=s["variable"], **kw)
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": v.name, "var": self.ordinal(v)})
            if "capture" in s: self.labels[s["capture"]] = v
        elif "get_variable" in s or "get_local_variable" in s:
            local = "get_local_variable" in s
            try:
                kw = self.get_kw(s)
                f = tf1.get_local_variable if local else tf1.get_variable
                v = f(s["get_local_variable" if local else "get_variable"], **kw)
            except Exception as e:
                return self.err(e)
            self.out.append(self.get_result(v))
            if "capture" in s: self.labels[s["capture"]] = v
        elif "op" in s:
            try:
                c = tf1.constant(0, name=s["op"]) if s["op"] is not None else tf1.constant(0)
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": c.op.name})
        elif "reuse_variables" in s:
            tf1.get_variable_scope().reuse_variables(); self.out.append({"ok": ""})
        elif "get_variable_scope" in s:
            vs = tf1.get_variable_scope(); self.out.append(self.scope_result(vs))
            if "capture" in s: self.labels[s["capture"]] = vs
        elif "collection" in s:
            key, = self.keys([s["collection"]])
            items = self.g.get_collection(key, s["scope"]) if "scope" in s else self.g.get_collection(key)
            self.out.append({"ok": [x.name for x in items]})
        elif "getter_log" in s:
            self.out.append({"ok": list(self.log)}); self.log.clear()
        elif "add_to_collection" in s:
            key, = self.keys([s["add_to_collection"]])
            tf1.add_to_collection(key, self.labels[s["value"]["ref"]]); self.out.append({"ok": ""})
        elif "set_regularizer" in s or "set_partitioner" in s or "set_custom_getter" in s:
            try:
                if "set_regularizer" in s: tf1.get_variable_scope().set_regularizer(reg_of(s["set_regularizer"]))
                elif "set_partitioner" in s: tf1.get_variable_scope().set_partitioner(part_of_spec(s["set_partitioner"]))
                else: tf1.get_variable_scope().set_custom_getter(self.getter_of(s["set_custom_getter"]))
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": ""})
        elif "regularization_loss" in s:
            kw = {"scope": s.get("scope")}
            if "name" in s: kw["name"] = s["name"]
            try:
                t = tf1.losses.get_regularization_loss(**kw)
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": t.name})
        elif "make_template" in s:
            key = s["capture"]
            def f(key=key):
                body = self.bodies[key]
                self.out.append(self.scope_result(tf1.get_variable_scope()))
                self.steps(body)
            kw = {}
            if "create_scope_now" in s: kw["create_scope_now_"] = s["create_scope_now"]
            if "unique_name" in s: kw["unique_name_"] = s["unique_name"]
            if "custom_getter" in s: kw["custom_getter_"] = self.getter_of(s["custom_getter"])
            try:
                t = tf1.make_template(s["make_template"], f, **kw)
            except Exception as e:
                return self.err(e)
            self.labels[key] = t
            vsn = t.variable_scope.name if t.variable_scope is not None else None
            self.out.append({"ok": vsn})
        elif "call_template" in s:
            key = s["call_template"]; t = self.labels[key]
            self.bodies[key] = s.get("body", [])
            at = len(self.out)
            try:
                t()
            except Exception as e:
                if len(self.out) > at:  # body ran: error replaces the scope result
                    self.out[at] = {"error": kind_of(e), "message": msg_of(e)}
                else:
                    self.err(e)
        else:
            raise ValueError(s)

def run(steps):
    g = tf.Graph()
    with g.as_default():
        r = Runner(g)
        with tf1.variable_creator_scope(r.created):
            r.steps(steps)
    r.sess.close()
    return r.out

def strip(expect):
    """The compared part of an expect array: error messages and layer output names are kept for reference only."""
    out = []
    for r in expect:
        r = dict(r); r.pop("message", None)
        if "vars" in r: r.pop("ok", None)
        out.append(r)
    return out

if __name__ == "__main__":
    args = sys.argv[1:]
    check = bool(args) and args[0] == "--check"
    if check: args = args[1:]
    bad = 0
    for path in args:
        d = json.load(open(path))
        try:
            got = run(d["steps"])
        except Exception as e:
            print("SKIP", path, repr(e)[:200]); bad += 1
            if not check: os.remove(path)  # as before: generated scenarios the script cannot run are dropped
            continue
        if check:
            same = strip(got) == strip(d.get("expect", []))
            exact = got == d.get("expect", [])
            if not same:
                bad += 1; print("DIFF", path)
            elif not exact:
                print("SAME (messages/layer output names differ)", path)
        else:
            d["expect"] = got
            with open(path, "w") as f:
                json.dump(d, f, indent=2, ensure_ascii=False); f.write("\n")
    if check: print("%d of %d agree" % (len(args) - bad, len(args)))
    sys.exit(1 if bad else 0)
