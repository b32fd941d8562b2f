"""What the per-model benchmark scripts share: the repo root, running a
command (exit with its output if it fails) and reading a figure such as
`forward median: 0.21 s` off a program's output."""
import os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out


def figure(text, prefix):
    """The number right after `prefix` (spaces allowed between), or None."""
    m = re.search(re.escape(prefix) + r"\s*([0-9.eE+-]+)", text)
    return float(m.group(1)) if m else None
