"""BERT and ALBERT checkpoints in other configurations, built by the original code.

    TFPY tools/tf-differential/bert_fixture.py PRESET OUT_DIR   # one fixture
    TFPY tools/tf-differential/bert_fixture.py all FIXTURES_DIR # every preset, OUT = FIXTURES_DIR/PRESET
    TFPY tools/tf-differential/bert_fixture.py list
    TFPY tools/tf-differential/bert_fixture.py reproduce SHARED/fixtures/tiny_bert   # cross-check (or tiny_albert)

PRESET is one of the names in PRESETS below (bert_other_config,
bert_finetuned_slots, bert_no_heads, bert_release_layout, albert_other_config).
TFPY is a Python with tensorflow-cpu 2.21, tf-keras 2.21 and tf-slim 1.1.0,
plus the pip packages `bert-tensorflow` (1.0.4) and `albert-tensorflow` (1.1),
whose `modeling.py`, `run_pretraining.py` and `optimization.py` are used as
shipped, with only these substitutions made when they are loaded:
`import tensorflow as tf` -> `import tensorflow.compat.v1 as tf` (ALBERT), and
`from tensorflow.contrib import layers as contrib_layers` ->
`import tf_slim.layers as contrib_layers` (`tf.contrib.layers.layer_norm`
is `tf_slim.layers.layer_norm`). The pretraining heads are the functions
`get_masked_lm_output`, `get_next_sentence_output` (ALBERT:
`get_sentence_order_output`) and `gather_indexes`, taken verbatim from
`run_pretraining.py` (the rest of that file needs tf.contrib / TPU code).

Files written (same formats as the shared tiny_bert / tiny_albert fixtures):
`bert_config.json` / `albert_config.json` (the original `to_json_string()`),
`checkpoint` (relative state file; not for the release layout),
`<prefix>.index`, `<prefix>.data-00000-of-00001` (Saver V2, no .meta),
`manifest.json` (variables in creation order), `input.json`, `expected.json`.
The script then checks its output: it restores a copy of the folder into a
fresh graph whose variables start elsewhere, recomputes every output and
requires bit-for-bit equality with expected.json, and compares the
checkpoint's tensors with the manifest and with the values that were saved.
"""
import ast, importlib.util, json, os, re, shutil, sys, tempfile, types
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy as np
import tensorflow as tf
tf1 = tf.compat.v1
tf1.disable_eager_execution()
import tf_slim  # noqa: F401  (needed by the patched modeling.py)

# ---------------------------------------------------------------- loading the original code
def _source(pkg, mod):
    spec = importlib.util.find_spec("%s.%s" % (pkg, mod))
    if spec is None:
        sys.exit("pip package for '%s' is not installed (pip install bert-tensorflow albert-tensorflow)" % pkg)
    with open(spec.origin) as f:
        return f.read()

def _patch(src):
    src = re.sub(r"^import tensorflow as tf$", "import tensorflow.compat.v1 as tf", src, flags=re.M)
    src = src.replace("from tensorflow.contrib import layers as contrib_layers", "import tf_slim.layers as contrib_layers")
    return src

_MODS = {}
def original(pkg):
    """(modeling module, optimization module, heads namespace) of package 'bert' or 'albert'."""
    if pkg in _MODS: return _MODS[pkg]
    mods = {}
    # ALBERT's optimization.py needs tf.contrib.tpu and its LAMB optimizer; only BERT's is used (bert_finetuned_slots)
    for name in (("modeling", "optimization") if pkg == "bert" else ("modeling",)):
        m = types.ModuleType("%s_%s_patched" % (pkg, name))
        m.__file__ = "%s/%s.py" % (pkg, name)
        exec(compile(_patch(_source(pkg, name)), m.__file__, "exec"), m.__dict__)
        mods[name] = m
    src = _source(pkg, "run_pretraining")
    tree = ast.parse(src)
    wanted = {"get_masked_lm_output", "get_next_sentence_output", "get_sentence_order_output", "gather_indexes"}
    ns = {"tf": tf1, "modeling": mods["modeling"]}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in wanted:
            exec(compile(ast.Module(body=[node], type_ignores=[]), "%s/run_pretraining.py" % pkg, "exec"), ns)
    _MODS[pkg] = (mods["modeling"], mods.get("optimization"), ns)
    return _MODS[pkg]

# ---------------------------------------------------------------- presets
BERT_OTHER = dict(vocab_size=97, hidden_size=24, num_hidden_layers=3, num_attention_heads=4,
                  intermediate_size=40, hidden_act="gelu", hidden_dropout_prob=0.1,
                  attention_probs_dropout_prob=0.1, max_position_embeddings=40,
                  type_vocab_size=3, initializer_range=0.02)
BERT_SMALL = dict(vocab_size=61, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=24, hidden_act="gelu", hidden_dropout_prob=0.1,
                  attention_probs_dropout_prob=0.1, max_position_embeddings=16,
                  type_vocab_size=2, initializer_range=0.02)
ALBERT_OTHER = dict(vocab_size=89, embedding_size=16, hidden_size=24, num_hidden_layers=4,
                    num_hidden_groups=2, inner_group_num=2, num_attention_heads=4,
                    intermediate_size=30, hidden_act="gelu", hidden_dropout_prob=0,
                    attention_probs_dropout_prob=0, max_position_embeddings=24,
                    type_vocab_size=2, initializer_range=0.02, down_scale_factor=1)

PRESETS = {
    # different sizes: 3 layers, head size 6, type_vocab 3, batch 2 x 11, 3 predictions
    "bert_other_config": dict(model="bert", config=BERT_OTHER, batch=2, seq=11, preds=3, seed=20261201,
                              heads=True, prefix="model.ckpt", state_file=True),
    # the checkpoint after 2 steps of google's AdamWeightDecayOptimizer (optimization.create_optimizer)
    "bert_finetuned_slots": dict(model="bert", config=BERT_SMALL, batch=2, seq=7, preds=2, seed=20261202,
                                 heads=True, prefix="model.ckpt", state_file=True, train_steps=2),
    # encoder only: BertModel alone, no cls/ heads and no global_step
    "bert_no_heads": dict(model="bert", config=BERT_SMALL, batch=2, seq=7, preds=0, seed=20261203,
                          heads=False, prefix="model.ckpt", state_file=True),
    # Google's release layout: bert_model.ckpt.{index,data-00000-of-00001}, no `checkpoint` state file
    "bert_release_layout": dict(model="bert", config=BERT_SMALL, batch=2, seq=7, preds=2, seed=20261204,
                                heads=True, prefix="bert_model.ckpt", state_file=False, vocab_txt=True),
    # factorized embeddings 16 -> 24, 4 layers over 2 hidden groups of 2 inner groups each
    "albert_other_config": dict(model="albert", config=ALBERT_OTHER, batch=2, seq=10, preds=3, seed=20261205,
                                heads=True, prefix="model.ckpt", state_file=True),
}

# ---------------------------------------------------------------- inputs
def make_input(p):
    cfg = p["config"]; B, S, P = p["batch"], p["seq"], p["preds"]
    rng = np.random.default_rng(p["seed"] + 1000)
    V = cfg["vocab_size"]; T = cfg["type_vocab_size"]
    ids = rng.integers(1, V - 1, size=(B, S))
    mask = np.ones((B, S), np.int64)
    pad = 3 if S > 6 else 1
    mask[1, S - pad:] = 0
    ids[:, 0] = 1
    ids[0, 2] = V - 1           # the largest id
    ids[1, 2] = 0               # id 0 at a real position
    ids[1, S - pad:] = 0        # padding
    types_ = np.zeros((B, S), np.int64)
    types_[0, S // 2:] = 1
    types_[1, 3:S - pad] = 1
    if T > 2: types_[0, S - 1] = T - 1  # the largest type id
    inp = {"input_ids": ids.tolist(), "input_mask": mask.tolist(), "token_type_ids": types_.tolist()}
    if P:
        pos = np.zeros((B, P), np.int64)
        pos[0] = sorted(rng.choice(np.arange(1, S), size=P, replace=False))
        real = S - pad
        pos[1, :P - 1] = sorted(rng.choice(np.arange(1, real), size=P - 1, replace=False))
        pos[1, P - 1] = 0       # padded prediction slot, as create_pretraining_data.py writes it
        inp["masked_lm_positions"] = pos.tolist()
    return inp

def write_input(path, inp):
    lines = ["{"]
    keys = list(inp)
    for i, k in enumerate(keys):
        rows = ",\n".join("    [" + ", ".join(str(x) for x in r) + "]" for r in inp[k])
        lines.append('  "%s": [\n%s\n  ]%s' % (k, rows, "," if i < len(keys) - 1 else ""))
    lines.append("}")
    with open(path, "w") as f: f.write("\n".join(lines) + "\n")

# ---------------------------------------------------------------- graph
def build(p, inp):
    """Builds the graph in the current default graph; returns (outputs dict, train_op or None)."""
    pkg = p["model"]
    modeling, optimization, heads = original(pkg)
    cfg_cls = modeling.AlbertConfig if pkg == "albert" else modeling.BertConfig
    config = cfg_cls.from_dict(p["config"])
    B, S = p["batch"], p["seq"]
    input_ids = tf1.placeholder(tf.int32, [B, S], name="input_ids")
    input_mask = tf1.placeholder(tf.int32, [B, S], name="input_mask")
    token_type_ids = tf1.placeholder(tf.int32, [B, S], name="segment_ids")
    feeds = {input_ids: inp["input_ids"], input_mask: inp["input_mask"], token_type_ids: inp["token_type_ids"]}
    Model = modeling.AlbertModel if pkg == "albert" else modeling.BertModel
    model = Model(config=config, is_training=False, input_ids=input_ids, input_mask=input_mask,
                  token_type_ids=token_type_ids, use_one_hot_embeddings=False)
    outs = {"sequence_output": model.get_sequence_output(), "pooled_output": model.get_pooled_output()}
    train_op = None
    if p["heads"]:
        P = p["preds"]
        positions = tf1.placeholder(tf.int32, [B, P], name="masked_lm_positions")
        lm_ids = tf1.placeholder(tf.int32, [B, P], name="masked_lm_ids")
        lm_weights = tf1.placeholder(tf.float32, [B, P], name="masked_lm_weights")
        ns_labels = tf1.placeholder(tf.int32, [B, 1], name="next_sentence_labels")
        rng = np.random.default_rng(p["seed"] + 2000)
        feeds[positions] = inp["masked_lm_positions"]
        feeds[lm_ids] = rng.integers(0, config.vocab_size, size=(B, P)).tolist()
        w = np.ones((B, P), np.float32); w[1, P - 1] = 0.0
        feeds[lm_weights] = w
        feeds[ns_labels] = [[0], [1]][:B]
        (lm_loss, _, _) = heads["get_masked_lm_output"](config, model.get_sequence_output(), model.get_embedding_table(),
                                                        positions, lm_ids, lm_weights)
        nsp = heads["get_sentence_order_output"] if pkg == "albert" else heads["get_next_sentence_output"]
        (ns_loss, _, _) = nsp(config, model.get_pooled_output(), ns_labels)
        g = tf1.get_default_graph()
        outs["masked_lm_logits"] = g.get_tensor_by_name("cls/predictions/BiasAdd:0")
        outs["next_sentence_logits"] = g.get_tensor_by_name("cls/seq_relationship/BiasAdd:0")
        if p.get("train_steps"):
            train_op = optimization.create_optimizer(lm_loss + ns_loss, 1e-2, 10, 0, False)
        else:
            tf1.train.get_or_create_global_step()
    return config, outs, feeds, train_op

def weight_value(name, shape, rng):
    z = rng.standard_normal(shape)
    if re.search(r"LayerNorm[^/]*/gamma$", name): return (1 + 0.3 * z).astype(np.float32)
    return (0.1 * z).astype(np.float32)

def session(g):
    return tf1.Session(graph=g, config=tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1))

def f32_list(a):
    return [float(x) for x in np.asarray(a, np.float32).ravel()]

def generate(preset, out):
    p = PRESETS[preset]
    if os.path.exists(out): shutil.rmtree(out)
    os.makedirs(out)
    inp = make_input(p)
    g = tf.Graph()
    with g.as_default():
        tf1.set_random_seed(p["seed"])
        config, outs, feeds, train_op = build(p, inp)
        variables = tf1.global_variables()
        model_vars = [v for v in variables if not re.search(r"/adam_[mv]$", v.op.name) and v.op.name != "global_step"]
        sess = session(g)
        sess.run(tf1.global_variables_initializer())
        rng = np.random.default_rng(p["seed"])
        for v in model_vars:
            v.load(weight_value(v.op.name, v.shape.as_list(), rng), sess)
        for v in variables:
            if v.op.name == "global_step" and not train_op: v.load(12345, sess)
        for _ in range(p.get("train_steps", 0)):
            sess.run(train_op, feeds)
        values = {k: sess.run(t, feeds) for k, t in outs.items()}
        saved = {v.op.name: sess.run(v) for v in variables}
        saver = tf1.train.Saver(variables, write_version=tf1.train.SaverDef.V2, save_relative_paths=True)
        saver.save(sess, os.path.join(out, p["prefix"]), write_meta_graph=False, write_state=p["state_file"])
        sess.close()
    cfg_name = "albert_config.json" if p["model"] == "albert" else "bert_config.json"
    with open(os.path.join(out, cfg_name), "w") as f: f.write(config.to_json_string())
    write_input(os.path.join(out, "input.json"), inp)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write('{\n  "variables": [\n' + ",\n".join(
            "    " + json.dumps({"name": v.op.name, "dtype": v.dtype.base_dtype.name, "shape": v.shape.as_list()})
            for v in variables) + "\n  ]\n}\n")
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({k: {"shape": list(a.shape), "data": f32_list(a)} for k, a in values.items()}, f, separators=(",", ":"))
        f.write("\n")
    if p.get("vocab_txt"):
        V = config.vocab_size
        special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        words = special + ["[unused%d]" % i for i in range(V - len(special))]
        with open(os.path.join(out, "vocab.txt"), "w") as f: f.write("\n".join(words[:V]) + "\n")
    verify(preset, out, saved, values, variables)
    return out

def verify(preset, out, saved, values, variables):
    p = PRESETS[preset]
    tmp = tempfile.mkdtemp()
    try:
        copy = os.path.join(tmp, "moved")
        shutil.copytree(out, copy)
        if p["state_file"]:
            ckpt = tf1.train.latest_checkpoint(copy)
            assert ckpt == os.path.join(copy, p["prefix"]), ckpt
            with open(os.path.join(copy, "checkpoint")) as f: assert os.sep + "" not in f.read().replace("\n", ""), "absolute path in state file"
        else:
            assert not os.path.exists(os.path.join(copy, "checkpoint"))
            ckpt = os.path.join(copy, p["prefix"])
        reader = tf1.train.NewCheckpointReader(ckpt)
        shapes = reader.get_variable_to_shape_map()
        manifest = json.load(open(os.path.join(copy, "manifest.json")))["variables"]
        assert sorted(shapes) == sorted(m["name"] for m in manifest), "checkpoint keys != manifest"
        for m in manifest:
            assert shapes[m["name"]] == m["shape"], m
            assert np.array_equal(reader.get_tensor(m["name"]), saved[m["name"]]), m["name"]
        if not p["heads"]:
            assert not any(k.startswith("cls/") for k in shapes) and "global_step" not in shapes
        inp = json.load(open(os.path.join(copy, "input.json")))
        g = tf.Graph()
        with g.as_default():
            _, outs, feeds, _ = build(p, inp)
            vs = tf1.global_variables()
            assert [v.op.name for v in vs if not re.search(r"/adam_[mv]$", v.op.name)] == \
                   [m["name"] for m in manifest if not re.search(r"/adam_[mv]$", m["name"])]
            sess = session(g)
            sess.run(tf1.global_variables_initializer())
            before = {k: sess.run(t, feeds) for k, t in outs.items()}
            tf1.train.Saver([v for v in vs if v.op.name in shapes]).restore(sess, ckpt)
            after = {k: sess.run(t, feeds) for k, t in outs.items()}
            sess.close()
        exp = json.load(open(os.path.join(copy, "expected.json")))
        assert sorted(exp) == sorted(after)
        for k in after:
            assert not np.array_equal(before[k], after[k]), "restore did not change " + k
            got = np.asarray(exp[k]["data"], np.float64).astype(np.float32).reshape(exp[k]["shape"])
            assert np.array_equal(got, after[k]) and np.array_equal(got, values[k]), "not bit-exact: " + k
        for root, _, files in os.walk(copy):
            for fn in files:
                data = open(os.path.join(root, fn), "rb").read()
                assert tmp.encode() not in data and os.path.abspath(out).encode() not in data, "absolute path in " + fn
    finally:
        shutil.rmtree(tmp)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%s: %d variables, %d bytes, outputs %s -- verified" % (
        preset, len(variables), size, ", ".join("%s %s" % (k, list(v.shape)) for k, v in values.items())))

def reproduce(shared_dir):
    """Rebuild a shared tiny_bert / tiny_albert fixture from its config, input and documented seed
    (the recipe above: 1 + 0.3 z for LayerNorm gammas, 0.1 z for everything else, global_step 12345)
    and compare the outputs with its expected.json bit for bit."""
    albert = os.path.exists(os.path.join(shared_dir, "albert_config.json"))
    cfg = json.load(open(os.path.join(shared_dir, "albert_config.json" if albert else "bert_config.json")))
    inp = json.load(open(os.path.join(shared_dir, "input.json")))
    B, S = np.asarray(inp["input_ids"]).shape
    seed = {"tiny_bert": 20241101, "tiny_albert": 20241102}[os.path.basename(os.path.normpath(shared_dir))]
    p = dict(model="albert" if albert else "bert", config=cfg, batch=B, seq=S,
             preds=len(inp["masked_lm_positions"][0]), seed=seed, heads=True)
    g = tf.Graph()
    with g.as_default():
        _, outs, feeds, _ = build(p, inp)
        variables = tf1.global_variables()
        manifest = json.load(open(os.path.join(shared_dir, "manifest.json")))["variables"]
        assert [(v.op.name, v.shape.as_list()) for v in variables] == [(m["name"], m["shape"]) for m in manifest], "variables differ"
        sess = session(g)
        sess.run(tf1.global_variables_initializer())
        rng = np.random.default_rng(seed)
        for v in variables:
            if v.op.name == "global_step": v.load(12345, sess)
            else: v.load(weight_value(v.op.name, v.shape.as_list(), rng), sess)
        got = {k: sess.run(t, feeds) for k, t in outs.items()}
        ckpt = tf1.train.latest_checkpoint(shared_dir)
        reader = tf1.train.NewCheckpointReader(ckpt)
        same_weights = all(np.array_equal(reader.get_tensor(v.op.name), sess.run(v)) for v in variables)
        sess.close()
    exp = json.load(open(os.path.join(shared_dir, "expected.json")))
    for k, a in got.items():
        e = np.asarray(exp[k]["data"], np.float64).astype(np.float32).reshape(exp[k]["shape"])
        print("%s %s: %s (max abs diff %.3g)" % (os.path.basename(os.path.normpath(shared_dir)), k,
              "bit-exact" if np.array_equal(e, a) else "DIFFERS", float(np.max(np.abs(e - a)))))
    print("weights equal to the shared checkpoint:", same_weights)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "reproduce":
        reproduce(sys.argv[2]); sys.exit(0)
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print("\n".join(PRESETS)); sys.exit(0)
    if len(sys.argv) != 3: sys.exit(__doc__)
    if sys.argv[1] == "all":
        for name in PRESETS: generate(name, os.path.join(sys.argv[2], name))
    else:
        generate(sys.argv[1], sys.argv[2])
