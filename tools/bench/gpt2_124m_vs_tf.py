#!/usr/bin/env python3
"""GPT-2 124M: scope (examples/gpt2) beside TensorFlow 2.21, in one run.

Usage: python3 tools/bench/gpt2_124m_vs_tf.py TFPY WORKDIR [--repeat N] [--rounds R]
           [--no-train] [--size 124M|small|mid] [--save-time] [--json FILE]

TFPY is a Python with tensorflow-cpu 2.21 (outside the repo). WORKDIR gets
the 124M-shaped checkpoint that real TF writes with its own initializers
(tools/tf-differential/gpt2_124m.py make; about 600 MB, never committed).
Each round runs TF's bench (forward and training step), then scope's
forward (`--repeat N`, peak RSS by /usr/bin/time without the 128 MB expected
logits in the directory), scope's logits check against TF's, and three SGD
steps. Prints one JSON object per round and a median table at the end;
--json FILE also writes the rounds and medians there. --size picks a
smaller model of the same vocabulary (gpt2_124m.py's SIZES; its checkpoint
goes to WORKDIR/gpt2_SIZE), --save-time has TF also time one Saver.save.
"""
import argparse, json, os, statistics, tempfile

from benchlib import ROOT, figure, run


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tfpy")
    p.add_argument("workdir")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--no-train", action="store_true", help="forward pass only (no SGD steps)")
    p.add_argument("--size", default="124M", help="gpt2_124m.py make --size (124M, small, mid)")
    p.add_argument("--save-time", action="store_true", help="TF also times one Saver.save")
    p.add_argument("--json", help="also write the rounds and medians to this file")
    a = p.parse_args()
    model = os.path.join(a.workdir, f"gpt2_{a.size.lower()}")
    if not os.path.exists(os.path.join(model, "model.ckpt.index")):
        run([a.tfpy, os.path.join(ROOT, "tools/tf-differential/gpt2_124m.py"), "make", model,
             "--size", a.size])
    # The same checkpoint without expected_logits.json, so the RSS figure is the model's.
    bare = model + "_bare"
    os.makedirs(bare, exist_ok=True)
    for f in os.listdir(model):
        if f != "expected_logits.json" and not os.path.exists(os.path.join(bare, f)):
            os.symlink(os.path.join(model, f), os.path.join(bare, f))
    run(["cargo", "build", "--release", "-q", "-p", "gpt2"], cwd=ROOT)
    gpt2 = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "gpt2")
    rounds = []
    start_load = os.getloadavg()[0]
    for r in range(a.rounds):
        tf_cmd = [a.tfpy, os.path.join(ROOT, "tools/tf-differential/gpt2_124m.py"),
                  "bench", model, "--repeat", str(a.repeat)] + ([] if a.no_train else ["--train"]) + (
                      ["--save-time"] if a.save_time else [])
        tf = json.loads(run(tf_cmd).stdout.strip().splitlines()[-1])
        fwd = run(["/usr/bin/time", "-f", "%M", gpt2, "--checkpoint", bare, "--repeat", str(a.repeat)])
        check = run([gpt2, "--checkpoint", model])
        train = None
        if not a.no_train:
            with tempfile.TemporaryDirectory() as tmp:
                train = run([gpt2, "--checkpoint", bare, "--train-steps", "3", "--optimizer", "sgd",
                             "--save", os.path.join(tmp, "out")])
        row = {
            "round": r + 1,
            "tf": tf,
            "scope": {
                "weights_ready_s": figure(fwd.stdout, "weights ready: "),
                "forward_median_s": figure(fwd.stdout, "forward median: "),
                "forward_cpu_median_s": figure(fwd.stdout, "forward cpu median: "),
                "peak_rss_kb": int(fwd.stderr.strip().splitlines()[-1]),
                "max_abs_diff_vs_tf": figure(check.stdout, "max abs diff vs expected: "),
                "train_step_median_s": figure(train.stdout, "train step median: ") if train else None,
            },
            "load": os.getloadavg()[0],
        }
        print(json.dumps(row), flush=True)
        rounds.append(row)
    med = lambda xs: statistics.median([x for x in xs if x is not None]) if any(
        x is not None for x in xs) else None
    s = lambda k: med([r["scope"][k] for r in rounds])
    summary = {"size": a.size, "scope_median": {k: s(k) for k in rounds[0]["scope"]},
               "tf_median": {k: med([r["tf"].get(k) for r in rounds]) for k in
                             ("forward_median_s", "forward_median_cpu_s", "start_to_restored_s",
                              "exec_to_restored_s", "restore_s", "train_step_median_s", "save_s",
                              "peak_rss_mb")},
               "parameters": json.load(open(os.path.join(model, "manifest.json")))["num_parameters"],
               "load_start": start_load, "load_end": os.getloadavg()[0], "rounds": rounds}
    print(json.dumps({"scope_median": summary["scope_median"],
                      "tf_rounds": [r["tf"] for r in rounds]}, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1)
    tf_fwd = med([r["tf"].get("forward_median_s") for r in rounds])
    tf_cpu = med([r["tf"].get("forward_median_cpu_s") for r in rounds])
    print(f"load average at start {start_load:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"forward median over {len(rounds)} rounds: TF {tf_fwd:.3f} s (cpu {tf_cpu}), "
          f"scope {s('forward_median_s'):.3f} s (cpu {s('forward_cpu_median_s')}); "
          f"TF / scope = {tf_fwd / s('forward_median_s'):.2f}")
    print(f"per-round TF / scope: "
          f"{[round(r['tf']['forward_median_s'] / r['scope']['forward_median_s'], 2) for r in rounds]}")


if __name__ == "__main__":
    main()
