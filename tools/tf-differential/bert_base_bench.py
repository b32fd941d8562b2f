"""BERT-base-shaped model in real TF1, built by google-research/bert's modeling.py (pip bert-tensorflow 1.0.4):
make a random checkpoint, or benchmark TF on it.

usage: bert_base_bench.py make OUT [--seed S] [--size base|small|mini|tiny]
       bert_base_bench.py bench OUT --repeat N

make: BertConfig(vocab_size 30522, hidden 768, 12 layers, 12 heads, intermediate 3072,
max_position_embeddings 512, type_vocab_size 2; --size picks the smaller shapes of Google's
"Well-Read Students" BERTs: small L4/H512/A8, mini L4/H256/A4, tiny L2/H128/A2, intermediate 4H), modeling.BertModel(is_training=False) with its own
initializers (truncated_normal stddev 0.02; biases zeros; LayerNorm gamma ones, beta zeros) under
tf.compat.v1.set_random_seed(S); writes OUT/model.ckpt (relative state file), bert_config.json,
manifest.json, input.json (input_ids, input_mask, token_type_ids: batch 1 x 128) and
expected_outputs.json (TF's sequence_output and pooled_output).

bench: default TF threading; one JSON object with the import time, time from the top of the script
until the weights are restored, the median over N (after one warm-up) of
session.run([sequence_output, pooled_output]), and peak RSS."""
import time
T0 = time.time()   # first statement after the docstring, before `import tensorflow`
import argparse, json, os, resource, statistics, sys, types
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["TF_USE_LEGACY_KERAS"] = "1"   # modeling.py's pooler uses tf.layers.dense, which needs tf_keras (Keras 2) under TF 2.21

CONFIG = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
              intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1,
              attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=2,
              initializer_range=0.02)
SIZES = {"base": CONFIG,
         "small": dict(CONFIG, hidden_size=512, num_hidden_layers=4, num_attention_heads=8, intermediate_size=2048),
         "mini": dict(CONFIG, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
         "tiny": dict(CONFIG, hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512)}
BATCH, SEQ = 1, 128

def import_modeling():
    """bert-tensorflow 1.0.4 already imports tensorflow.compat.v1; it still does
    `from tensorflow.contrib import layers` for layer_norm, which TF 2 lacks: serve tf_slim's instead."""
    import tf_slim
    contrib = types.ModuleType('tensorflow.contrib'); layers = types.ModuleType('tensorflow.contrib.layers')
    layers.layer_norm = tf_slim.layers.layer_norm
    contrib.layers = layers
    sys.modules.setdefault('tensorflow.contrib', contrib); sys.modules.setdefault('tensorflow.contrib.layers', layers)
    from bert import modeling
    return modeling

def build(modeling, config):
    import tensorflow as tf
    tf1 = tf.compat.v1
    ph = {k: tf1.placeholder(tf.int32, [BATCH, SEQ], name=k) for k in ('input_ids', 'input_mask', 'token_type_ids')}
    m = modeling.BertModel(config=config, is_training=False, input_ids=ph['input_ids'],
                           input_mask=ph['input_mask'], token_type_ids=ph['token_type_ids'])
    return ph, m.get_sequence_output(), m.get_pooled_output()

def process_start():
    """Epoch seconds at which this process started (from /proc, 10 ms resolution): interpreter start-up included."""
    start_ticks = int(open('/proc/self/stat').read().rsplit(')', 1)[1].split()[19])
    uptime = float(open('/proc/uptime').read().split()[0])
    return time.time() - (uptime - start_ticks / os.sysconf('SC_CLK_TCK'))

def machine():
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
    mem = next((int(l.split()[1]) // 1024 for l in open('/proc/meminfo') if l.startswith('MemTotal')), 0)
    return {"cpu": cpu, "nproc": os.cpu_count(), "mem_total_mb": mem, "loadavg_1_5_15": list(os.getloadavg())}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    m = sub.add_parser('make'); m.add_argument('out'); m.add_argument('--seed', type=int, default=0)
    m.add_argument('--size', choices=sorted(SIZES), default='base')
    b = sub.add_parser('bench'); b.add_argument('out'); b.add_argument('--repeat', type=int, required=True)
    a = p.parse_args()
    t = time.time()
    import tensorflow as tf
    import_s = time.time() - t
    import numpy as np
    import warnings; warnings.filterwarnings('ignore', message='.*tf.layers.dense.*')
    from tfcommon import save_relative
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    modeling = import_modeling()

    if a.cmd == 'make':
        rng = np.random.default_rng(a.seed)
        ids = rng.integers(0, CONFIG['vocab_size'], size=(BATCH, SEQ)).astype(np.int32)
        ids[:, 0] = 101; ids[:, -1] = 102    # [CLS] ... [SEP] as in the uncased vocabulary
        mask = np.ones((BATCH, SEQ), np.int32)
        types_ = np.zeros((BATCH, SEQ), np.int32); types_[:, SEQ // 2:] = 1
        config = modeling.BertConfig(**SIZES[a.size])
        g = tf.Graph()
        with g.as_default():
            tf1.set_random_seed(a.seed)
            ph, seq_out, pooled = build(modeling, config)
            vars_ = tf1.global_variables()
            saver = tf1.train.Saver(var_list=vars_, write_version=tf1.train.SaverDef.V2)
            cfgp = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
            feed = {ph['input_ids']: ids, ph['input_mask']: mask, ph['token_type_ids']: types_}
            with tf1.Session(graph=g, config=cfgp) as sess:
                sess.run(tf1.global_variables_initializer())
                s, pl = sess.run([seq_out, pooled], feed)
                save_relative(saver, sess, a.out)
        with open(os.path.join(a.out, 'bert_config.json'), 'w') as f:
            f.write(config.to_json_string())
        with open(os.path.join(a.out, 'input.json'), 'w') as f:
            json.dump({"input_ids": ids.tolist(), "input_mask": mask.tolist(), "token_type_ids": types_.tolist()}, f)
        n = sum(int(np.prod(v.shape.as_list())) for v in vars_)
        json.dump({"checkpoint_prefix": "model.ckpt",
                   "variables": [{"name": v.op.name, "shape": v.shape.as_list(), "dtype": "float32"} for v in vars_],
                   "num_parameters": n,
                   "init": {"*embeddings, */kernel": "truncated_normal_initializer(stddev=0.02)", "*/bias": "zeros",
                            "*/LayerNorm/gamma": "ones", "*/LayerNorm/beta": "zeros",
                            "seed": "tf.compat.v1.set_random_seed(%d); input_ids numpy default_rng(%d).integers(0, 30522, (1, 128)) with [CLS]=101 first and [SEP]=102 last" % (a.seed, a.seed)},
                   "built_by": "bert-tensorflow 1.0.4 modeling.BertModel(is_training=False)",
                   "tensorflow": tf.__version__},
                  open(os.path.join(a.out, 'manifest.json'), 'w'), indent=1)
        f32 = lambda x: {"shape": list(x.shape), "dtype": "float32", "data": [float(v) for v in x.ravel()]}
        with open(os.path.join(a.out, 'expected_outputs.json'), 'w') as f:
            json.dump({"sequence_output": f32(s), "pooled_output": f32(pl)}, f, separators=(',', ':'))
        print(json.dumps({"out": a.out, "variables": len(vars_), "parameters": n,
                          "sequence_output": list(s.shape), "pooled_output": list(pl.shape)}))
        return

    res = {"tensorflow": tf.__version__, "threading": "TF default (intra/inter_op_parallelism_threads=0)",
           "machine_at_start": machine(), "import_tensorflow_s": import_s}
    config = modeling.BertConfig.from_json_file(os.path.join(a.out, 'bert_config.json'))
    inp = json.load(open(os.path.join(a.out, 'input.json')))
    t = time.time()
    g = tf.Graph()
    with g.as_default():
        ph, seq_out, pooled = build(modeling, config)
        saver = tf1.train.Saver(var_list=tf1.global_variables(), write_version=tf1.train.SaverDef.V2)
    res["graph_build_s"] = time.time() - t
    t = time.time(); sess = tf1.Session(graph=g); res["session_create_s"] = time.time() - t
    t = time.time()
    saver.restore(sess, tf1.train.latest_checkpoint(a.out))
    t1 = time.time()
    res["restore_s"] = t1 - t
    res["start_to_restored_s"] = t1 - T0
    res["exec_to_restored_s"] = t1 - process_start()   # same, counted from the exec of the process (10 ms resolution)
    feed = {ph[k]: np.asarray(inp[k], np.int32) for k in ph}
    t = time.time(); s, pl = sess.run([seq_out, pooled], feed); res["forward_first_run_s"] = time.time() - t
    exp_path = os.path.join(a.out, 'expected_outputs.json')
    times, cpu = [], []
    for _ in range(a.repeat):
        t = time.time(); c = time.process_time(); sess.run([seq_out, pooled], feed); cpu.append(time.process_time() - c); times.append(time.time() - t)
    res["forward_median_s"] = statistics.median(times); res["forward_min_s"] = min(times); res["forward_runs_s"] = times
    res["forward_median_cpu_s"] = statistics.median(cpu)   # process CPU time (all threads): less sensitive to other load
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if os.path.exists(exp_path):   # after the RSS reading: the check's JSON parsing is not part of the figure
        e = json.load(open(exp_path))
        res["max_abs_diff_vs_expected"] = max(
            float(np.abs(np.asarray(e[k]["data"], np.float64) - x.astype(np.float64).ravel()).max())
            for k, x in (("sequence_output", s), ("pooled_output", pl)))
    res["machine_at_end"] = machine()
    res["batch_x_seq"] = [BATCH, SEQ]
    print(json.dumps(res))

if __name__ == '__main__':
    main()
