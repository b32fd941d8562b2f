"""GPT-2 124M-shaped model in real TF1: make a random checkpoint, or benchmark TF on it.

usage: gpt2_124m.py make OUT [--seed S] [--size 124M|small|mid]
       gpt2_124m.py bench OUT --repeat N [--train] [--save-time]

make: hparams n_vocab 50257, n_ctx 1024, n_embd 768, n_head 12, n_layer 12 (--size small: n_embd 256,
n_head 4, n_layer 4; mid: n_embd 512, n_head 8, n_layer 6; same vocabulary and context); openai/gpt-2 model.py's
own initializers (w, wte: random_normal stddev 0.02; wpe: random_normal 0.01; biases zeros; ln g
ones, ln b zeros) under tf.compat.v1.set_random_seed(S); Saver checkpoint in OUT (relative state
file), hparams.json, manifest.json, input.json (1 x 128 ids from numpy default_rng(S)),
expected_logits.json ([1,128,50257], about 130 MB: never commit it).

bench: default TF threading. Prints one JSON object: import time, time from the top of this script
until the weights are restored, forward session.run(logits) median over N after one warm-up, with
--train one SGD step of train.py's loss (forward+backward+update) median over N after one warm-up,
with --save-time the time of one Saver.save of the restored weights (into a temporary directory
in TMPDIR, removed afterwards), and peak RSS (ru_maxrss)."""
import time
T0 = time.time()   # first statement after the docstring: "process start" for the time-to-ready figure (interpreter start-up is before it)
import argparse, json, os, resource, statistics, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HP = dict(n_vocab=50257, n_ctx=1024, n_embd=768, n_head=12, n_layer=12)
SIZES = {"124M": HP, "small": dict(HP, n_embd=256, n_head=4, n_layer=4), "mid": dict(HP, n_embd=512, n_head=8, n_layer=6)}

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
    m.add_argument('--size', choices=sorted(SIZES), default='124M')
    b = sub.add_parser('bench'); b.add_argument('out'); b.add_argument('--repeat', type=int, required=True)
    b.add_argument('--train', action='store_true')
    b.add_argument('--save-time', action='store_true')
    a = p.parse_args()
    t = time.time()
    import tensorflow as tf
    import_s = time.time() - t
    import numpy as np
    from gpt2_fixture import model
    from tfcommon import save_relative, dump_float32, dump_tokens, load_tokens
    from gpt2_train_fixture import lm_loss
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()

    if a.cmd == 'make':
        hpm = SIZES[a.size]
        tokens = np.random.default_rng(a.seed).integers(0, hpm['n_vocab'], size=(1, 128)).astype(np.int32)
        g = tf.Graph()
        with g.as_default():
            tf1.set_random_seed(a.seed)
            X = tf1.placeholder(tf.int32, [None, None])
            logits = model(hpm, X)
            vars_ = tf1.global_variables()
            saver = tf1.train.Saver(var_list=vars_, write_version=tf1.train.SaverDef.V2)
            config = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
            with tf1.Session(graph=g, config=config) as sess:
                sess.run(tf1.global_variables_initializer())
                out = sess.run(logits, {X: tokens})
                save_relative(saver, sess, a.out)
        json.dump(hpm, open(os.path.join(a.out, 'hparams.json'), 'w'), indent=1)
        dump_tokens(os.path.join(a.out, 'input.json'), tokens)
        n = sum(int(np.prod(v.shape.as_list())) for v in vars_)
        json.dump({"checkpoint_prefix": "model.ckpt",
                   "variables": [{"name": v.op.name, "shape": v.shape.as_list(), "dtype": "float32"} for v in vars_],
                   "num_parameters": n,
                   "init": {"model/wpe": "random_normal_initializer(stddev=0.01)", "model/wte": "random_normal_initializer(stddev=0.02)",
                            "*/w": "random_normal_initializer(stddev=0.02)", "*/b": "constant_initializer(0)",
                            "*/ln_*/g": "constant_initializer(1)", "*/ln_*/b": "constant_initializer(0)",
                            "seed": "tf.compat.v1.set_random_seed(%d); input ids numpy default_rng(%d).integers(0, 50257, (1, 128))" % (a.seed, a.seed)},
                   "tensorflow": tf.__version__},
                  open(os.path.join(a.out, 'manifest.json'), 'w'), indent=1)
        dump_float32(os.path.join(a.out, 'expected_logits.json'), out)
        print(json.dumps({"out": a.out, "variables": len(vars_), "parameters": n, "logits_shape": list(out.shape),
                          "max_abs_logit": float(np.abs(out).max())}))
        return

    res = {"tensorflow": tf.__version__, "threading": "TF default (intra/inter_op_parallelism_threads=0)",
           "machine_at_start": machine(), "import_tensorflow_s": import_s}
    hp = json.load(open(os.path.join(a.out, 'hparams.json')))
    tokens = load_tokens(os.path.join(a.out, 'input.json'))
    t = time.time()
    g = tf.Graph()
    with g.as_default():
        X = tf1.placeholder(tf.int32, [None, None])
        logits = model(hp, X)
        saver = tf1.train.Saver(var_list=tf1.global_variables(), write_version=tf1.train.SaverDef.V2)
    res["graph_build_s"] = time.time() - t
    t = time.time()
    sess = tf1.Session(graph=g)
    res["session_create_s"] = time.time() - t
    t = time.time()
    saver.restore(sess, tf1.train.latest_checkpoint(a.out))
    t1 = time.time()
    res["restore_s"] = t1 - t
    res["start_to_restored_s"] = t1 - T0
    res["exec_to_restored_s"] = t1 - process_start()   # same, counted from the exec of the process (10 ms resolution)
    feed = {X: tokens}
    t = time.time(); sess.run(logits, feed); res["forward_first_run_s"] = time.time() - t
    times, cpu = [], []
    for _ in range(a.repeat):
        t = time.time(); c = time.process_time(); sess.run(logits, feed); cpu.append(time.process_time() - c); times.append(time.time() - t)
    res["forward_median_s"] = statistics.median(times); res["forward_min_s"] = min(times); res["forward_runs_s"] = times
    res["forward_median_cpu_s"] = statistics.median(cpu)   # process CPU time (all threads): less sensitive to other load
    if a.train:
        t = time.time()
        with g.as_default():
            loss = lm_loss(X, logits)
            train_op = tf1.train.GradientDescentOptimizer(1e-4).minimize(loss, var_list=tf1.trainable_variables())
        res["train_graph_build_s"] = time.time() - t
        t = time.time(); l0, _ = sess.run([loss, train_op], feed); res["train_first_step_s"] = time.time() - t
        times, cpu = [], []
        for _ in range(a.repeat):
            t = time.time(); c = time.process_time(); sess.run([loss, train_op], feed); cpu.append(time.process_time() - c); times.append(time.time() - t)
        res["train_step_median_s"] = statistics.median(times); res["train_step_min_s"] = min(times)
        res["train_step_median_cpu_s"] = statistics.median(cpu)
        res["train_steps_s"] = times; res["train_first_loss"] = float(l0)
    if a.save_time:
        import shutil, tempfile
        tmp = tempfile.mkdtemp()   # TMPDIR, else the system temp dir
        try:
            t = time.time(); saver.save(sess, os.path.join(tmp, 'model.ckpt'), write_meta_graph=False)
            res["save_s"] = time.time() - t
        finally:
            shutil.rmtree(tmp)
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["machine_at_end"] = machine()
    res["batch_x_seq"] = list(tokens.shape)
    print(json.dumps(res))

if __name__ == '__main__':
    main()
