#!/usr/bin/env python3
"""Model-level summary: scope beside TensorFlow 2.21 and candle-transformers
at several model sizes, in one run.

Usage: python3 tools/bench/summary.py TFPY WORKDIR [--quick] [--out DIR] [--scratch DIR] [--only FAMILY ...]
       python3 tools/bench/summary.py --replot [--out DIR]

TFPY is a Python with tensorflow-cpu 2.21, tf-keras, tf-slim and
bert-tensorflow (outside the repo); WORKDIR gets the random-weight
checkpoints that real TF writes (about 2.5 GB, never committed). The run
calls the per-model scripts next to this one, each as a subprocess with
`--json`:

* gpt2_124m_vs_tf.py --size small, mid (forward only) and 124M (with three
  SGD steps for scope, TF's training step and TF's Saver.save);
* bert_base_vs.py --size tiny, mini, small, base (TF, candle-transformers'
  BertModel and scope);
* resnet50_vs_tf.py --depth 50, 101, 152 (TF and scope; the
  RAYON_NUM_THREADS=1 variant at depth 50 only);
* `scope-ckpt convert` of the GPT-2 124M checkpoint to safetensors and back
  (median of 3 runs each; the outputs go to --scratch, default WORKDIR;
  --scratch is also the TMPDIR of the scripts above, where TF's timed
  Saver.save and scope's training output go).

It writes DIR/bench-results.json (every raw figure, the load average
before and after each part, the machine and the commit) and
DIR/benchmarks-summary.svg (log-log: forward-pass seconds against parameter
count, one colour per engine and one marker per model family), and prints
BENCHMARKS.md's summary tables (run A is this run; rows B and C are the
criterion checkpoint figures quoted from BENCHMARKS.md and
scope-checkpoint/README.md). DIR defaults to the repository root. The
models of the table (GPT-2 124M, BERT-base, ResNet-v1-50) get 3 rounds of
10 timed passes, the other sizes 3 rounds of 5; --quick runs 1 round of 3
(resp. 2) passes instead (for testing);
--replot redraws the SVG and reprints the table from DIR/bench-results.json;
--only gpt2|bert|resnet|convert (repeatable) reruns those parts and keeps
the others of DIR/bench-results.json (each part records when and at which
commit it ran).

Build first (so no compilation overlaps the timed runs): `cargo build
--release -p gpt2 -p bert -p resnet -p scope-checkpoint` and, in
bench-vs-candle, `cargo build --release --example bert_base` (the scripts'
own builds are then no-ops). CARGO_TARGET_DIR and BVC_TARGET_DIR are
honoured as in the per-model scripts.
"""
import argparse, json, math, os, platform, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

GPT2_SIZES = ("small", "mid", "124M")
BERT_SIZES = ("tiny", "mini", "small", "base")
RESNET_DEPTHS = (50, 101, 152)
ENGINES = {"scope": "#1f77b4", "TF 2.21": "#ff7f0e", "candle-transformers": "#2ca02c"}
FAMILIES = ("GPT-2", "BERT", "ResNet-v1")


class Failed(Exception):
    pass


def sh(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise Failed(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out


ENV = dict(os.environ)   # with --scratch: TMPDIR for the scripts' temporary checkpoints (TF's save, scope's training)


def load():
    return [round(x, 2) for x in os.getloadavg()]


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return {"cpu": cpu, "nproc": os.cpu_count(), "mem_total_mb": mem, "kernel": platform.release(),
            "rustc": subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()}


def commit():
    head = sh(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip()
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT).stdout.strip()
    return head + ("-dirty" if dirty else "")


def run_part(name, cmd, results):
    """Runs one per-model script with --json into a temp file; records its figures and the load."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    before, t = load(), time.time()
    print(f"[{time.strftime('%H:%M:%S')}] {name} (load {before[0]})", file=sys.stderr, flush=True)
    sh([sys.executable] + cmd + ["--json", path], cwd=ROOT, env=ENV)
    r = json.load(open(path)); os.unlink(path)
    # The command as a user would type it: TFPY and WORKDIR, no paths of this machine.
    shown = ["TFPY" if i == 1 else "WORKDIR" if i == 2 else os.path.relpath(c, ROOT) if i == 0 else c
             for i, c in enumerate(cmd)]
    r.update(load_before=before, load_after=load(), wall_s=round(time.time() - t, 1),
             command="python3 " + " ".join(shown),
             started=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t)), commit=commit())
    results[name] = r


def convert_times(scratch, workdir, repeat):
    """scope-ckpt convert: GPT-2 124M TF checkpoint -> safetensors -> TF checkpoint, medians."""
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    sh(["cargo", "build", "--release", "-q", "-p", "scope-checkpoint", "--bin", "scope-ckpt"], cwd=ROOT)
    exe = os.path.join(target, "release", "scope-ckpt")
    src = os.path.join(workdir, "gpt2_124m")
    out = {"load_before": load()}
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        st, ck = os.path.join(tmp, "model.safetensors"), os.path.join(tmp, "back", "model.ckpt")
        os.makedirs(os.path.dirname(ck))
        for key, cmd in (("tf_to_safetensors_s", [exe, "convert", "-q", src, st]),
                         ("safetensors_to_tf_s", [exe, "convert", "-q", st, ck])):
            times = []
            for _ in range(repeat):
                t = time.perf_counter(); sh(cmd); times.append(time.perf_counter() - t)
            out[key] = statistics.median(times); out[key + "_runs"] = times
        out["bytes"] = os.path.getsize(st)
        out["round_trip_identical"] = subprocess.run([exe, "diff", src, ck], capture_output=True).returncode == 0
    out["load_after"] = load()
    out["scratch_is_tmpfs"] = os.path.realpath(scratch).startswith("/dev/shm")
    out["command"] = "scope-ckpt convert -q WORKDIR/gpt2_124m X.safetensors; scope-ckpt convert -q X.safetensors Y/model.ckpt"
    return out


def run_all(a):
    # (passes, rounds): the table's models (GPT-2 124M, BERT-base, ResNet-v1-50) get more than the
    # other sizes, which only feed the plot.
    main_rr, other_rr = ((3, 1), (2, 1)) if a.quick else ((10, 3), (5, 3))
    common = lambda rr: [a.tfpy, a.workdir, "--repeat", str(rr[0]), "--rounds", str(rr[1])]
    res = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "commit": commit(),
           "machine": machine(), "quick": a.quick, "repeat_rounds_main": main_rr, "repeat_rounds_other": other_rr,
           "load_start": load(), "parts": {}}
    parts = res["parts"]

    def save():   # after every part, so a failure later keeps what was measured
        # (with --only, beside the old results, which main() merges at the end)
        name = "bench-results.partial.json" if a.only else "bench-results.json"
        with open(os.path.join(a.out, name), "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")

    def part(name, cmd, results):
        try:
            run_part(name, cmd, results)
        except Failed as e:
            print(f"{name}: {e}", file=sys.stderr)
            results[name] = {"error": str(e)[-2000:]}
        save()
    want = lambda family: not a.only or family in a.only
    for s in GPT2_SIZES if want("gpt2") else []:
        extra = ["--save-time"] if s == "124M" else ["--no-train"]
        rr = main_rr if s == "124M" else other_rr
        part(f"gpt2_{s}", [os.path.join(HERE, "gpt2_124m_vs_tf.py")] + common(rr) + ["--size", s] + extra, parts)
    for s in BERT_SIZES if want("bert") else []:
        rr = main_rr if s == "base" else other_rr
        part(f"bert_{s}", [os.path.join(HERE, "bert_base_vs.py")] + common(rr) + ["--size", s], parts)
    for d in RESNET_DEPTHS if want("resnet") else []:
        extra = [] if d == 50 else ["--skip-one-thread"]
        rr = main_rr if d == 50 else other_rr
        part(f"resnet_v1_{d}", [os.path.join(HERE, "resnet50_vs_tf.py")] + common(rr) + ["--depth", str(d)] + extra,
             parts)
    if want("convert"):
        print(f"[{time.strftime('%H:%M:%S')}] scope-ckpt convert (load {load()[0]})", file=sys.stderr, flush=True)
        try:
            parts["convert"] = convert_times(a.scratch or a.workdir, a.workdir, 3)
        except Failed as e:
            print(f"convert: {e}", file=sys.stderr)
            parts["convert"] = {"error": str(e)[-2000:]}
    res["load_end"] = load()
    res["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return res


def points(res):
    """(engine, family, label, parameters, forward seconds) of every model run."""
    p = {k: v for k, v in res["parts"].items() if "error" not in v}
    pts = []
    for s in GPT2_SIZES:
        r = p.get(f"gpt2_{s}")
        if r:
            pts.append(("scope", "GPT-2", s, r["parameters"], r["scope_median"]["forward_median_s"]))
            pts.append(("TF 2.21", "GPT-2", s, r["parameters"], r["tf_median"]["forward_median_s"]))
    for s in BERT_SIZES:
        r = p.get(f"bert_{s}")
        if r:
            m = r["median"]
            pts.append(("scope", "BERT", s, r["parameters"], m["scope_forward_median_s"]))
            pts.append(("TF 2.21", "BERT", s, r["parameters"], m["tf_forward_median_s"]))
            pts.append(("candle-transformers", "BERT", s, r["parameters"], m["ct_forward_median_s"]))
    for d in RESNET_DEPTHS:
        r = p.get(f"resnet_v1_{d}")
        if r:
            m = r["median"]
            pts.append(("scope", "ResNet-v1", str(d), r["parameters"], m["scope_forward_median_s"]))
            pts.append(("TF 2.21", "ResNet-v1", str(d), r["parameters"], m["tf_forward_median_s"]))
    return pts


def marker(family, x, y, color, r=5, hollow=False):
    """Filled, or (TF's, larger) an outline, so that coinciding points of two engines both show."""
    paint = f'fill="white" fill-opacity="0" stroke="{color}" stroke-width="2"' if hollow else f'fill="{color}"'
    r = r + 2 if hollow else r
    if family == "GPT-2":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {paint}/>'
    if family == "BERT":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {paint}/>'
    return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x - r - 1:.1f},{y + r:.1f} {x + r + 1:.1f},{y + r:.1f}" '
            f'{paint}/>')


def svg(res):
    pts = points(res)
    W, H, L, R, T, B = 760, 500, 70, 200, 50, 60
    xs = [math.log10(p[3]) for p in pts]; ys = [math.log10(p[4]) for p in pts]
    x0, x1 = math.floor(min(xs) * 2) / 2, math.ceil(max(xs) * 2) / 2
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    X = lambda v: L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)
    Y = lambda v: H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>']
    # grid and ticks: decades, with 2 and 5 between them
    for e in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
        for k in (1, 2, 5):
            v = k * 10 ** e
            if x0 <= math.log10(v) <= x1:
                x = X(v)
                o.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#ddd"/>')
                label = f"{v / 1e6:g}M"
                o.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{label}</text>')
    for e in range(y0, y1 + 1):
        for k in (1, 2, 5):
            v = k * 10.0 ** e
            if y0 <= math.log10(v) <= y1:
                y = Y(v)
                o.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
                label = f"{v * 1e3:g} ms" if v < 1 else f"{v:g} s"
                o.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    o.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#333"/>')
    o.append(f'<text x="{(L + W - R) / 2}" y="{H - 18}" text-anchor="middle">parameters (log scale)</text>')
    o.append(f'<text transform="translate(18,{(T + H - B) / 2}) rotate(-90)" text-anchor="middle">'
             f'forward pass, median wall time (log scale)</text>')
    load_s = f"load {res['load_start'][0]}→{res['load_end'][0]}"
    o.append(f'<text x="{L}" y="22" font-size="14" font-weight="bold">Forward pass vs model size, batch 1, '
             f'CPU ({res["machine"]["nproc"]} vCPUs)</text>')
    o.append(f'<text x="{L}" y="38" fill="#555">{res["started"][:16]}, commit {res["commit"]}, {load_s}'
             f'{", --quick" if res["quick"] else ""}</text>')
    for eng, color in reversed(ENGINES.items()):   # scope drawn last, on top
        for fam in FAMILIES:
            s = sorted((p for p in pts if p[0] == eng and p[1] == fam), key=lambda p: p[3])
            if len(s) > 1:
                d = " ".join(f"{X(p[3]):.1f},{Y(p[4]):.1f}" for p in s)
                dash = {"GPT-2": "", "BERT": ' stroke-dasharray="6,3"', "ResNet-v1": ' stroke-dasharray="2,3"'}[fam]
                o.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1.5"{dash}/>')
            for p in s:
                o.append(marker(fam, X(p[3]), Y(p[4]), color, hollow=eng == "TF 2.21"))
                o.append(f'<title>{eng} {fam} {p[2]}: {p[4]:.4f} s, {p[3]:,} parameters</title>')
    lx, ly = W - R + 16, T + 10
    o.append(f'<text x="{lx}" y="{ly}" font-weight="bold">engine</text>')
    for i, (eng, color) in enumerate(ENGINES.items()):
        y = ly + 18 * (i + 1)
        o.append(f'<line x1="{lx}" y1="{y - 4}" x2="{lx + 22}" y2="{y - 4}" stroke="{color}" stroke-width="3"/>')
        o.append(f'<text x="{lx + 28}" y="{y}">{eng}</text>')
    ly += 18 * (len(ENGINES) + 2)
    o.append(f'<text x="{lx}" y="{ly}" font-weight="bold">model</text>')
    sizes = {"GPT-2": "/".join(GPT2_SIZES), "BERT": "/".join(BERT_SIZES),
             "ResNet-v1": "/".join(map(str, RESNET_DEPTHS))}
    for i, fam in enumerate(FAMILIES):
        y = ly + 34 * (i + 1) - 14
        dash = {"GPT-2": "", "BERT": ' stroke-dasharray="6,3"', "ResNet-v1": ' stroke-dasharray="2,3"'}[fam]
        o.append(f'<line x1="{lx}" y1="{y - 4}" x2="{lx + 22}" y2="{y - 4}" stroke="#555"{dash}/>')
        o.append(marker(fam, lx + 11, y - 4, "#555"))
        o.append(f'<text x="{lx + 28}" y="{y}">{fam}</text>')
        o.append(f'<text x="{lx + 28}" y="{y + 14}" fill="#555" font-size="10">{sizes[fam]}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def fmt(v, unit="s"):
    if v is None:
        return "–"
    return f"{v * 1e3:.3g} ms" if v < 1 else f"{v:.3g} s"


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


SECTIONS = {  # BENCHMARKS.md's per-model sections
    "gpt2": "#model-level-gpt-2-124m-beside-tensorflow-221",
    "bert": "#bert-base-forward-pass-tensorflow-221-candle-transformers-and-scope-side-by-side",
    "resnet": "#resnet-v1-50-forward-pass-scope-examplesresnet-vs-tensorflow-221",
}


def short(r, key):
    """`script.py --size X ...` (without TFPY WORKDIR --repeat --rounds), linked to its section."""
    words = r["command"].split()[1:]
    script, rest = os.path.basename(words[0]), words[3:]
    rest = [w for i, w in enumerate(rest) if w not in ("--repeat", "--rounds")
            and (i == 0 or rest[i - 1] not in ("--repeat", "--rounds"))]
    return f"[`{' '.join([script] + rest)}`]({SECTIONS[key]})"


# Checkpoint figures of the criterion runs documented in BENCHMARKS.md (B: its criterion table, commit
# 55caaf2) and scope-checkpoint/README.md (C): quoted, not measured by this script.
CRITERION = {"read_owned_s": 0.11883, "read_view_s": 0.03893, "candle_load_s": 0.46246, "candle_mmap_s": 0.20438,
             "write_fsync_s": 0.483, "write_nofsync_s": 0.500}


def vs(a, b, who):
    return f"{a / b:.2f} vs {who}" if a is not None and b else None


def table(res):
    """BENCHMARKS.md's summary table: run A (this run) rows, and the quoted criterion rows B and C."""
    p = {k: v for k, v in res["parts"].items() if "error" not in v}
    rows = []   # (figure, scope, TF, candle, ratio, run and command), cells already formatted
    j = lambda *xs: ", ".join(x for x in xs if x) or "–"
    g, b, r, c = p.get("gpt2_124M"), p.get("bert_base"), p.get("resnet_v1_50"), p.get("convert")
    if g:
        s, t = g["scope_median"], g["tf_median"]
        cmd = "A, " + short(g, "gpt2")
        rows += [("GPT-2 124M forward, 1×128 tokens", fmt(s["forward_median_s"]), fmt(t["forward_median_s"]), "–",
                  j(vs(s["forward_median_s"], t["forward_median_s"], "TF")), cmd),
                 ("GPT-2 124M time to ready (process → weights restored)", fmt(s["weights_ready_s"]),
                  fmt(t["start_to_restored_s"]), "–", j(vs(s["weights_ready_s"], t["start_to_restored_s"], "TF")),
                  "A, same"),
                 ("GPT-2 124M training step (SGD, forward + backward + update)", fmt(s["train_step_median_s"]),
                  fmt(t["train_step_median_s"]), "–", j(vs(s["train_step_median_s"], t["train_step_median_s"], "TF")),
                  "A, same")]
    if b:
        m = b["median"]
        rows += [("BERT-base forward, 1×128 tokens", fmt(m["scope_forward_median_s"]), fmt(m["tf_forward_median_s"]),
                  fmt(m["ct_forward_median_s"]), j(vs(m["scope_forward_median_s"], m["tf_forward_median_s"], "TF"),
                                                   vs(m["scope_forward_median_s"], m["ct_forward_median_s"], "candle")),
                  "A, " + short(b, "bert")),
                 ("BERT-base ready (build + restore)", fmt(m["scope_weights_ready_s"]),
                  fmt(m["tf_start_to_restored_s"]), fmt(m["ct_weights_ready_s"]),
                  j(vs(m["scope_weights_ready_s"], m["tf_start_to_restored_s"], "TF"),
                    vs(m["scope_weights_ready_s"], m["ct_weights_ready_s"], "candle")), "A, same")]
    if r:
        m = r["median"]
        one = m.get("scope_1_thread_forward_median_s")
        ratio_s = vs(m["scope_forward_median_s"], m["tf_forward_median_s"], "TF")
        if one:
            ratio_s = ratio_s.replace(" vs", f" ({one / m['tf_forward_median_s']:.2f}) vs")
        rows += [("ResNet-v1-50 forward, 224×224", fmt(m["scope_forward_median_s"]) + (
                      f" ({fmt(one)} with `RAYON_NUM_THREADS=1`)" if one else ""),
                  fmt(m["tf_forward_median_s"]), "–", ratio_s, "A, " + short(r, "resnet")),
                 ("ResNet-v1-50 time to ready", fmt(m["scope_weights_ready_s"]), fmt(m["tf_start_to_restored_s"]), "–",
                  j(vs(m["scope_weights_ready_s"], m["tf_start_to_restored_s"], "TF")), "A, same")]
    k = CRITERION
    tf_restore = f"{fmt(g['tf_median']['restore_s'])} (A: `Saver.restore`)" if g else "–"
    tmpfs = ", tmpfs" if c and c.get("scratch_is_tmpfs") else ""
    tf_save = f"{fmt(g['tf_median']['save_s'])} (A: `Saver.save`{tmpfs})" if g and g["tf_median"].get("save_s") else "–"
    rows += [("checkpoint read, GPT-2 124M (497.8 MB) into owned arrays", f"{fmt(k['read_owned_s'])} (B)", tf_restore,
              f"{fmt(k['candle_load_s'])} (B: `safetensors::load`), {fmt(k['candle_mmap_s'])} (B: mmap)",
              f"{k['read_owned_s'] / k['candle_load_s']:.2f}, {k['read_owned_s'] / k['candle_mmap_s']:.2f} vs candle",
              "B: [`cd bench-vs-candle && cargo bench`](#results); A for TF"),
             ("checkpoint read, zero-copy views (crc32c checked)", f"{fmt(k['read_view_s'])} (B)", "–",
              f"{fmt(k['candle_mmap_s'])} (B: mmap)", f"{k['read_view_s'] / k['candle_mmap_s']:.2f} vs candle",
              "B, same"),
             ("checkpoint write, GPT-2 124M, TF V2 format",
              f"{fmt(k['write_fsync_s'])} (C: fsync, disk; {fmt(k['write_nofsync_s'])} without fsync)", tf_save, "–",
              "– (different runs)", "C: [`cargo bench -p scope-checkpoint --bench read_write`]"
              "(scope-checkpoint/README.md#benchmark); A for TF")]
    if c:
        rows += [("convert TF checkpoint → safetensors, GPT-2 124M (whole `scope-ckpt` process)",
                  fmt(c["tf_to_safetensors_s"]), "–", "–", "–", "A, `scope-ckpt convert -q IN OUT.safetensors`"),
                 ("convert safetensors → TF checkpoint, same", fmt(c["safetensors_to_tf_s"]), "–", "–", "–",
                  "A, `scope-ckpt convert -q IN.safetensors OUT/model.ckpt`")]
    out = ["| figure | scope | TF 2.21 | candle | ratio | run, command |", "|---|---:|---:|---:|---:|---|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out += ["", "| model | parameters | scope | TF 2.21 | candle-transformers | scope / TF |",
            "|---|---:|---:|---:|---:|---:|"]
    fam_rows = {}
    for eng, fam, label, n, sec in points(res):
        fam_rows.setdefault((fam, label, n), {})[eng] = sec
    for (fam, label, n), e in fam_rows.items():
        out.append(f"| {fam} {label} | {n / 1e6:.1f} M | {fmt(e.get('scope'))} | {fmt(e.get('TF 2.21'))} | "
                   f"{fmt(e.get('candle-transformers'))} | {ratio(e.get('scope'), e.get('TF 2.21'))} |")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("tfpy", nargs="?")
    p.add_argument("workdir", nargs="?")
    p.add_argument("--quick", action="store_true", help="1 round of 3 passes per model")
    p.add_argument("--replot", action="store_true", help="redraw from OUT/bench-results.json")
    p.add_argument("--scratch", help="where scope-ckpt convert writes its two 500 MB outputs (default WORKDIR), "
                   "and TMPDIR of the per-model scripts (TF's Saver.save, scope's training output)")
    p.add_argument("--out", default=ROOT, help="where bench-results.json and benchmarks-summary.svg go")
    p.add_argument("--only", action="append", choices=("gpt2", "bert", "resnet", "convert"),
                   help="rerun only this family (repeatable); the other parts stay as OUT/bench-results.json "
                        "has them, and each part records when and at which commit it ran")
    a = p.parse_args()
    path = os.path.join(a.out, "bench-results.json")
    if a.replot:
        res = json.load(open(path))
    else:
        if not (a.tfpy and a.workdir):
            p.error("TFPY and WORKDIR are required unless --replot")
        a.workdir = os.path.abspath(a.workdir)
        if a.scratch:
            ENV["TMPDIR"] = os.path.abspath(a.scratch)
        os.makedirs(a.workdir, exist_ok=True)
        if a.only:
            old = json.load(open(path))
            new = run_all(a)
            old["parts"].update(new["parts"])
            partial = os.path.join(a.out, "bench-results.partial.json")
            if os.path.exists(partial):
                os.unlink(partial)
            old.setdefault("reruns", []).append({k: new[k] for k in ("started", "finished", "commit", "load_start",
                                                                      "load_end")} | {"only": a.only})
            res = old
        else:
            res = run_all(a)
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        failed = [k for k, v in res["parts"].items() if "error" in v]
        if failed:
            print(f"failed: {', '.join(failed)} (see bench-results.json)", file=sys.stderr)
    with open(os.path.join(a.out, "benchmarks-summary.svg"), "w") as f:
        f.write(svg(res))
    m = res["machine"]
    print(f"{res['started']} – {res['finished']}, commit {res['commit']}, {m['cpu']} ({m['nproc']} vCPUs, "
          f"{m['mem_total_mb'] // 1024} GiB), load average (1/5/15 min) {res['load_start']} at start, "
          f"{res['load_end']} at end{', --quick' if res['quick'] else ''}\n")
    print(table(res))


if __name__ == "__main__":
    main()
