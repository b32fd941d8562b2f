#!/usr/bin/env python3
"""BERT-base forward pass: TensorFlow 2.21, candle-transformers' `bert` and
scope's `examples/bert`, side by side in one run.

Usage: python3 tools/bench/bert_base_vs.py TFPY WORKDIR [--repeat N] [--rounds R]
           [--size base|small|mini|tiny] [--json FILE]

TFPY is a Python with tensorflow-cpu 2.21 and bert-tensorflow (outside the
repo). WORKDIR gets the BERT-base-shaped checkpoint that real TF writes
with modeling.py's own initializers (tools/tf-differential/bert_base_bench.py
make; about 440 MB, never committed). Each round runs, back to back:
TF's `session.run` bench, then `bench-vs-candle`'s `bert_base` example,
which loads the same checkpoint into scope's BERT and (converted through
scope's reader to its names and [out, in] layouts) candle-transformers'
`BertModel`, checks their sequence outputs against each other and TF's,
and times them alternately. Prints one JSON object per round, then the
medians and ratios over the rounds, with the load average at start and end
(--json FILE also writes them there). --size picks a smaller BERT
(bert_base_bench.py's SIZES; its checkpoint goes to WORKDIR/bert_SIZE).
"""
import argparse, json, os, statistics

from benchlib import ROOT, figure, run


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tfpy")
    p.add_argument("workdir")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--size", default="base", help="bert_base_bench.py make --size (base, small, mini, tiny)")
    p.add_argument("--json", help="also write the rounds and medians to this file")
    a = p.parse_args()
    model = os.path.join(a.workdir, f"bert_{a.size}")
    if not os.path.exists(os.path.join(model, "model.ckpt.index")):
        run([a.tfpy, os.path.join(ROOT, "tools/tf-differential/bert_base_bench.py"), "make", model,
             "--size", a.size])
    bvc = os.path.join(ROOT, "bench-vs-candle")
    target = os.environ.get("BVC_TARGET_DIR", os.path.join(bvc, "target"))
    env = dict(os.environ, CARGO_TARGET_DIR=target)
    run(["cargo", "build", "--release", "-q", "--example", "bert_base"], cwd=bvc, env=env)
    exe = os.path.join(target, "release", "examples", "bert_base")
    start_load = os.getloadavg()
    rounds = []
    for r in range(a.rounds):
        tf = json.loads(run([a.tfpy, os.path.join(ROOT, "tools/tf-differential/bert_base_bench.py"),
                             "bench", model, "--repeat", str(a.repeat)]).stdout.strip().splitlines()[-1])
        out = run([exe, model, "--repeat", str(a.repeat)]).stdout
        row = {
            "round": r + 1,
            "loadavg_1min": os.getloadavg()[0],
            "tf_forward_median_s": tf["forward_median_s"],
            "tf_forward_cpu_s": tf.get("forward_median_cpu_s"),
            "tf_start_to_restored_s": tf.get("start_to_restored_s"),
            "tf_restore_s": tf.get("restore_s"),
            "scope_weights_ready_s": figure(out, "scope weights ready:"),
            "ct_weights_ready_s": figure(out, "candle-transformers weights ready:"),
            "ct_forward_median_s": figure(out, "candle-transformers forward median:"),
            "ct_forward_cpu_s": figure(out, "candle-transformers forward cpu median:"),
            "scope_forward_median_s": figure(out, "scope forward median:"),
            "scope_forward_cpu_s": figure(out, "scope forward cpu median:"),
            "diff_ct_vs_scope": figure(out, "max abs diff candle-transformers vs scope:"),
            "diff_scope_vs_tf": figure(out, "max abs diff scope vs TF:"),
            "diff_ct_vs_tf": figure(out, "max abs diff candle-transformers vs TF:"),
        }
        print(json.dumps(row), flush=True)
        rounds.append(row)
    end_load = os.getloadavg()
    med = {k: statistics.median(r[k] for r in rounds if r[k] is not None)
           for k in rounds[0] if k not in ("round",) and rounds[0][k] is not None}
    print(f"load average at start {start_load[0]:.2f}, at end {end_load[0]:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"size": a.size, "median": med, "load_start": start_load[0], "load_end": end_load[0],
                       "parameters": json.load(open(os.path.join(model, "manifest.json")))["num_parameters"],
                       "rounds": rounds}, f, indent=1)
    print(f"medians over {len(rounds)} rounds of {a.repeat} passes (wall / cpu):")
    for name, key in (("TensorFlow 2.21", "tf"), ("candle-transformers", "ct"), ("scope", "scope")):
        cpu = med.get(f"{key}_forward_cpu_s")
        print(f"  {name:20} {med[f'{key}_forward_median_s']:.3f} s / {cpu:.3f} s" if cpu else
              f"  {name:20} {med[f'{key}_forward_median_s']:.3f} s")
    print(f"  scope / TF wall {med['scope_forward_median_s'] / med['tf_forward_median_s']:.2f}, "
          f"scope / candle-transformers wall "
          f"{med['scope_forward_median_s'] / med['ct_forward_median_s']:.2f}")
    print(f"  max abs diff: candle-transformers vs scope {med['diff_ct_vs_scope']:.2e}, "
          f"scope vs TF {med.get('diff_scope_vs_tf', float('nan')):.2e}, "
          f"candle-transformers vs TF {med.get('diff_ct_vs_tf', float('nan')):.2e}")


if __name__ == "__main__":
    main()
