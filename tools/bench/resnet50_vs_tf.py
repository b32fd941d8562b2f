#!/usr/bin/env python3
"""ResNet-v1-50 forward (224x224, batch 1): scope (examples/resnet) beside
TensorFlow 2.21 (tf-slim 1.1.0's own resnet_v1_50), in one run.

Usage: python3 tools/bench/resnet50_vs_tf.py TFPY WORKDIR [--repeat N] [--rounds R]
           [--depth 50|101|152] [--json FILE]

TFPY is a Python with tensorflow-cpu 2.21, tf-keras 2.21 and tf-slim 1.1.0
(outside the repo). WORKDIR gets the random-weight checkpoint that real TF
writes (tools/tf-differential/resnet_fixture.py, preset resnet_v1_50_bench:
about 100 MB, never committed). Each round times TF's forward pass (a
Session restoring that checkpoint, N runs after one warm-up, median), then
scope's (`resnet --checkpoint DIR --repeat N`, which also checks every
output against TF's expected.json), by default and with
RAYON_NUM_THREADS=1 (not with --skip-one-thread). Prints one JSON object per round and
the medians at the end (--json FILE also writes them there). --depth 101
or 152 benchmarks resnet_v1_101 / resnet_v1_152 the same way (presets
resnet_v1_101_bench, resnet_v1_152_bench). TF's time to ready is from the
top of this script (before `import tensorflow`) until the restore returned.
"""
import time
T0 = time.time()
import argparse, json, math, os, statistics, sys

from benchlib import ROOT, figure, run


def tf_time(model, repeat):
    """Runs under TFPY: TF's median forward time on the fixture's input."""
    sys.path.insert(0, os.path.join(ROOT, "tools/tf-differential"))
    import numpy as np
    import resnet_fixture as rf
    tf, tf1 = rf.tf, rf.tf1
    c = json.load(open(os.path.join(model, "config.json")))
    inp = json.load(open(os.path.join(model, "input.json")))["images"]
    images = np.array(inp["data"], np.float32).reshape(inp["shape"])
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, images.shape, name="images")
        net, _, _ = rf.build(c, x)
        with tf1.Session(graph=g) as s:
            t_restore = time.time()
            tf1.train.Saver().restore(s, tf1.train.latest_checkpoint(model))
            restored = time.time()
            s.run(net, {x: images})
            times = []
            for _ in range(repeat):
                t = time.perf_counter(); s.run(net, {x: images}); times.append(time.perf_counter() - t)
    print(json.dumps({"tf_forward_median_s": statistics.median(times), "tf_restore_s": restored - t_restore,
                      "tf_start_to_restored_s": restored - T0}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tfpy")
    p.add_argument("workdir")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--depth", type=int, default=50, choices=(50, 101, 152))
    p.add_argument("--json", help="also write the rounds and medians to this file")
    p.add_argument("--skip-one-thread", action="store_true", help="no RAYON_NUM_THREADS=1 run")
    p.add_argument("--tf-time", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    preset = f"resnet_v1_{a.depth}_bench"
    model = os.path.join(a.workdir, preset)
    if a.tf_time:
        return tf_time(model, a.repeat)
    if not os.path.exists(os.path.join(model, "model.ckpt.index")):
        run([a.tfpy, os.path.join(ROOT, "tools/tf-differential/resnet_fixture.py"), a.workdir, preset])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    run(["cargo", "build", "--release", "-q", "-p", "resnet"], cwd=ROOT)
    exe = os.path.join(target, "release", "resnet")
    rounds = []
    for r in range(a.rounds):
        tf = json.loads(run([a.tfpy, os.path.abspath(__file__), a.tfpy, a.workdir, "--tf-time",
                             "--depth", str(a.depth), "--repeat", str(a.repeat)]).stdout.strip().splitlines()[-1])
        out = run([exe, "--checkpoint", model, "--repeat", str(a.repeat)]).stdout
        one = None if a.skip_one_thread else run([exe, "--checkpoint", model, "--repeat", str(a.repeat)],
                                                 env=dict(os.environ, RAYON_NUM_THREADS="1")).stdout
        row = {"round": r, "tf_forward_median_s": tf["tf_forward_median_s"],
               "tf_start_to_restored_s": tf["tf_start_to_restored_s"], "tf_restore_s": tf["tf_restore_s"],
               "scope_forward_median_s": figure(out, "forward median: "),
               "scope_1_thread_forward_median_s": figure(one, "forward median: ") if one else None,
               "scope_weights_ready_s": figure(out, "weights ready: "),
               "scope_max_abs_diff": figure(out, "max abs diff vs expected: "),
               "load": os.getloadavg()[0]}
        row["ratio"] = row["scope_forward_median_s"] / row["tf_forward_median_s"]
        print(json.dumps(row)); rounds.append(row)
    med = lambda k: statistics.median(x[k] for x in rounds) if rounds[0][k] is not None else None
    if a.json:
        manifest = json.load(open(os.path.join(model, "manifest.json")))["variables"]
        trainable = sum(math.prod(v["shape"]) for v in manifest
                        if not v["name"].endswith(("moving_mean", "moving_variance", "global_step")))
        with open(a.json, "w") as f:
            json.dump({"depth": a.depth, "parameters": trainable,
                       "median": {k: med(k) for k in rounds[0] if k not in ("round", "scope_max_abs_diff")},
                       "max_abs_diff": max(x["scope_max_abs_diff"] for x in rounds), "rounds": rounds}, f, indent=1)
    print(f"TF 2.21 forward median {med('tf_forward_median_s'):.4f} s; scope {med('scope_forward_median_s'):.4f} s "
          f"({med('ratio'):.2f}x TF), with RAYON_NUM_THREADS=1 {med('scope_1_thread_forward_median_s') or float('nan'):.4f} s; "
          f"max abs diff vs TF {max(x['scope_max_abs_diff'] for x in rounds):.2e}")


if __name__ == "__main__":
    main()
