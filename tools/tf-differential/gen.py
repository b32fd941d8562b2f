import json, random, sys
SC = ["a", "b", "A", "a_1", "blk", "x/y", "a/", "", "_h", "b c", "Blk"]
VN = ["w", "W", "w_1", "b", "v/", "_z", "k"]
INITS = [{"zeros": {}}, {"ones": {}}, {"constant": 2}, {"constant": 0.5}, {"random_normal": {}}, {"glorot_uniform": {}}, {"value": 3}, {"value": [[1, 1]]}, {"value": 1.5}]
DTS = ["float32", "float64", "int32", "int64"]

class G:
    def __init__(s, rng): s.r = rng; s.ns_labels = []; s.vs_labels = []; s.t_labels = []; s.n = 0
    def label(s): s.n += 1; return "L%d" % s.n
    def body(s, depth):
        k = s.r.randint(0, 4 if depth < 3 else 0)
        return [s.step(depth + 1) for _ in range(k)]
    def step(s, depth):
        r = s.r
        kind = r.choices(["ns", "vs", "var", "get", "op", "reuse", "gvs", "coll", "mt", "ct"], [3, 5, 2, 6, 2, 1, 1, 1, 1, 2])[0]
        if kind == "ns":
            st = {}
            p = r.random()
            if p < 0.15 and s.ns_labels + s.vs_labels: st["name_scope"] = {"ref": r.choice(s.ns_labels + s.vs_labels)}
            elif p < 0.25: st["name_scope"] = None; st["default_name"] = r.choice(SC)
            else: st["name_scope"] = r.choice(SC)
            if r.random() < 0.3: l = s.label(); st["capture"] = l
            st["body"] = s.body(depth)
            if "capture" in st: s.ns_labels.append(st["capture"])
            return st
        if kind == "vs":
            st = {}
            p = r.random()
            if p < 0.2 and s.vs_labels: st["variable_scope"] = {"ref": r.choice(s.vs_labels)}
            elif p < 0.35: st["variable_scope"] = None; st["default_name"] = r.choice(SC)
            else: st["variable_scope"] = r.choice(SC)
            if r.random() < 0.4: st["reuse"] = r.choice([True, False, "auto", None])
            if r.random() < 0.1: st["auxiliary_name_scope"] = False
            if r.random() < 0.15: st["initializer"] = r.choice(INITS[:6])
            if r.random() < 0.1: st["dtype"] = r.choice(DTS)
            if r.random() < 0.35: st["capture"] = s.label()
            st["body"] = s.body(depth)
            if "capture" in st: s.vs_labels.append(st["capture"])
            return st
        if kind == "var":
            st = {"variable": r.choice(VN + [None]), "shape": r.choice([[1], [2], [1, 2]])}
            if r.random() < 0.2: st["dtype"] = r.choice(DTS)
            if r.random() < 0.2: st["trainable"] = False
            return st
        if kind == "get":
            st = {"get_variable": r.choice(VN)}
            p = r.random()
            if p < 0.7: st["shape"] = r.choice([[1], [2], [1, 2], []])
            elif p < 0.8: st["shape"] = [None, 2]
            if r.random() < 0.3: st["dtype"] = r.choice(DTS)
            if r.random() < 0.3:
                st["initializer"] = r.choice(INITS)
            if r.random() < 0.1: st["trainable"] = False
            return st
        if kind == "op": return {"op": r.choice(SC + VN + [None, "c/", "w/"])}
        if kind == "reuse": return {"reuse_variables": True}
        if kind == "gvs":
            l = s.label(); s.vs_labels.append(l); return {"get_variable_scope": True, "capture": l}
        if kind == "coll":
            st = {"collection": r.choice(["global", "trainable"])}
            if r.random() < 0.5: st["scope"] = r.choice(["a", "a/", "b", "", "w"])
            return st
        if kind == "mt":
            l = s.label()
            st = {"make_template": r.choice(["t", "tower", "a"]), "capture": l}
            if r.random() < 0.3: st["create_scope_now"] = True
            if r.random() < 0.2: st["unique_name"] = r.choice(["u", "t"])
            s.t_labels.append(l)
            return st
        if kind == "ct":
            if not s.t_labels: return {"op": "c"}
            return {"call_template": r.choice(s.t_labels), "body": s.body(depth)}

def scenario(i):
    g = G(random.Random(i))
    steps = [g.step(0) for _ in range(g.r.randint(2, 7))]
    return {"name": "random_%05d" % i, "description": "random differential scenario", "steps": steps, "expect": []}

if __name__ == "__main__":
    out = sys.argv[1]; a, b = int(sys.argv[2]), int(sys.argv[3])
    for i in range(a, b):
        json.dump(scenario(i), open("%s/random_%05d.json" % (out, i), "w"), indent=2)
