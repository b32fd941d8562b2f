"""Run conformance-format scenarios through real TF1 graph mode and write expect arrays."""
import json, sys, os, random
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
tf1 = tf.compat.v1
tf1.disable_eager_execution()

DT = {"float32": tf.float32, "float64": tf.float64, "int32": tf.int32, "int64": tf.int64}
NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64}

def kind_of(e):
    m = str(e)
    if "already exists" in m: return "AlreadyExists"
    if "does not exist, or was not created" in m: return "NotFound"
    if "Trying to share variable" in m and "shape" in m: return "ShapeMismatch"
    if "Trying to share variable" in m and "dtype" in m: return "DtypeMismatch"
    if "should be fully defined" in m or "must be fully defined" in m or "Shape of a new variable" in m or "did not get an initializer" in m: return "UnknownShape"
    if "is not a valid" in m: return "InvalidName"
    if "Duplicate node name" in m: return "DuplicateName"
    if "Trainable variable created when calling a template" in m: return "TemplateVariableCreated"
    return "InvalidArgument"

def init_of(spec):
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

def fmt_num(x, dtype):
    if dtype.is_integer: return str(int(x))
    f = float(np.float32(x)) if dtype == tf.float32 else float(x)
    s = repr(np.float32(x)) if dtype == tf.float32 else repr(float(x))
    s = str(np.float32(x)) if dtype == tf.float32 else repr(float(x))
    if s.endswith(".0"): s = s[:-2]
    return s

class Runner:
    def __init__(self, g):
        self.g = g; self.out = []; self.labels = {}; self.vars = []; self.sess = tf1.Session(graph=g)
        self.bodies = {}
    def ordinal(self, v):
        for i, w in enumerate(self.vars):
            if w is v: return i
        self.vars.append(v); return len(self.vars) - 1
    def scope_result(self, vs):
        r = vs.reuse
        r = "auto" if r == tf1.AUTO_REUSE else bool(r)
        return {"ok": vs.name, "ns": self.g.get_name_scope(), "original_name_scope": vs.original_name_scope, "reuse": r}
    def value_kind(self, v):
        vals = []
        for _ in range(2):
            vals.append(self.sess.run(v.initial_value))
        a = vals[0]
        if not np.array_equal(vals[0], vals[1]) or (a.size > 1 and not np.all(a == a.flat[0])): return "random"
        if a.size and a.size == 1 and not np.array_equal(vals[0], vals[1]): return "random"
        x = a.flat[0] if a.size else 0
        if x == 0: return "zeros"
        if x == 1: return "ones"
        return "constant:" + fmt_num(x, v.dtype.base_dtype)
    def steps(self, steps):
        for s in steps: self.step(s)
    def err(self, e):
        self.out.append({"error": kind_of(e), "message": str(e)[:200]})
    def step(self, s):
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
            n = s["variable_scope"]
            if isinstance(n, dict): n = self.labels[n["ref"]]
            kw = {}
            if "default_name" in s: kw["default_name"] = s["default_name"]
            if "reuse" in s: kw["reuse"] = tf1.AUTO_REUSE if s["reuse"] == "auto" else s["reuse"]
            if "auxiliary_name_scope" in s: kw["auxiliary_name_scope"] = s["auxiliary_name_scope"]
            if "initializer" in s: kw["initializer"] = init_of(s["initializer"])
            if "dtype" in s: kw["dtype"] = DT[s["dtype"]]
            try:
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
            try:
                v = tf1.Variable(np.zeros(s["shape"], NP[dt]), name=s["variable"], **kw)
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": v.name, "var": self.ordinal(v)})
        elif "get_variable" in s:
            kw = {}
            if "shape" in s: kw["shape"] = s["shape"]
            if "dtype" in s: kw["dtype"] = DT[s["dtype"]]
            if "initializer" in s: kw["initializer"] = init_of(s["initializer"])
            if "trainable" in s: kw["trainable"] = s["trainable"]
            try:
                v = tf1.get_variable(s["get_variable"], **kw)
            except Exception as e:
                return self.err(e)
            self.out.append({"ok": v.name, "var": self.ordinal(v), "shape": v.shape.as_list(),
                             "dtype": v.dtype.base_dtype.name, "value": self.value_kind(v)})
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
            f = tf1.global_variables if s["collection"] == "global" else tf1.trainable_variables
            vs = f(s["scope"]) if "scope" in s else f()
            self.out.append({"ok": [v.name for v in vs]})
        elif "make_template" in s:
            key = s["capture"]
            def f(key=key):
                body = self.bodies[key]
                self.out.append(self.scope_result(tf1.get_variable_scope()))
                self.steps(body)
            kw = {}
            if "create_scope_now" in s: kw["create_scope_now_"] = s["create_scope_now"]
            if "unique_name" in s: kw["unique_name_"] = s["unique_name"]
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
                    self.out[at] = {"error": kind_of(e), "message": str(e)[:200]}
                else:
                    self.err(e)
        else:
            raise ValueError(s)

def run(steps):
    g = tf.Graph()
    with g.as_default():
        r = Runner(g); r.steps(steps)
    return r.out

if __name__ == "__main__":
    for path in sys.argv[1:]:
        d = json.load(open(path))
        try:
            d["expect"] = run(d["steps"])
        except Exception as e:
            print("SKIP", path, repr(e)[:200]); os.remove(path); continue
        json.dump(d, open(path, "w"), indent=2)
