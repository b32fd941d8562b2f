"""Check that real TF1 restores a GPT-2 checkpoint directory (e.g. one written by scope's Rust code).

usage: check_restore.py DIR [--tol T]

DIR holds a checkpoint state file, its model.ckpt, hparams.json and input.json. The script rebuilds
openai/gpt-2's model.py graph from hparams.json, compares the checkpoint's variable list with the
graph's (names, shapes, dtypes; extra keys are reported), restores DIR with tf.compat.v1.train.Saver,
runs the forward pass on input.json and, if DIR/expected_logits.json exists, compares the logits.
Prints `tf restored DIR: N variables, logits max abs diff X` (exit 0), or the TF error (exit 1).
With --tol, a max abs diff above T also fails (exit 2)."""
import argparse, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from gpt2_fixture import model
from tfcommon import load_float32, load_tokens
tf1 = tf.compat.v1
tf1.disable_eager_execution()

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('dir'); p.add_argument('--tol', type=float)
    a = p.parse_args()
    hp = json.load(open(os.path.join(a.dir, 'hparams.json')))
    tokens = load_tokens(os.path.join(a.dir, 'input.json'))
    ckpt = tf1.train.latest_checkpoint(a.dir)   # reads DIR/checkpoint; a relative path is taken relative to DIR
    if ckpt is None:
        sys.exit('tf could not restore %s: no usable checkpoint state file' % a.dir)
    g = tf.Graph()
    with g.as_default():
        X = tf1.placeholder(tf.int32, [None, None])
        logits = model(hp, X)
        vars_ = tf1.global_variables()
        try:
            in_ckpt = dict(tf1.train.list_variables(ckpt))
            reader = tf1.train.NewCheckpointReader(ckpt)
            dtypes = reader.get_variable_to_dtype_map()
        except Exception as e:
            print('tf could not read %s: %s: %s' % (ckpt, type(e).__name__, e), file=sys.stderr); sys.exit(1)
        problems = []
        for v in vars_:
            n = v.op.name
            if n not in in_ckpt: problems.append('missing %s' % n)
            elif in_ckpt[n] != v.shape.as_list(): problems.append('%s: shape %s, graph wants %s' % (n, in_ckpt[n], v.shape.as_list()))
            elif dtypes[n] != v.dtype.base_dtype: problems.append('%s: dtype %s, graph wants %s' % (n, dtypes[n].name, v.dtype.base_dtype.name))
        extra = sorted(set(in_ckpt) - {v.op.name for v in vars_})
        if extra:
            print('note: %d checkpoint keys not in the graph: %s' % (len(extra), ', '.join(extra)), file=sys.stderr)
        for m in problems:
            print('problem: ' + m, file=sys.stderr)
        saver = tf1.train.Saver(var_list=vars_, write_version=tf1.train.SaverDef.V2)
        config = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        with tf1.Session(graph=g, config=config) as sess:
            try:
                saver.restore(sess, ckpt)
            except Exception as e:
                msg = str(e).split('\n\nOriginal stack trace')[0]   # TF's message, without the Python stack
                print('tf could not restore %s: %s: %s' % (a.dir, type(e).__name__, msg), file=sys.stderr); sys.exit(1)
            if problems:   # Saver accepted something the graph does not match: still a failure
                sys.exit('tf restored %s but %d variables do not match' % (a.dir, len(problems)))
            out = sess.run(logits, {X: tokens})
    if not np.all(np.isfinite(out)):
        sys.exit('tf restored %s: logits contain non-finite values' % a.dir)
    exp_path = os.path.join(a.dir, 'expected_logits.json')
    if os.path.exists(exp_path):
        exp = load_float32(exp_path)
        if exp.shape != out.shape:
            sys.exit('tf restored %s: logits shape %s, expected_logits.json has %s' % (a.dir, list(out.shape), list(exp.shape)))
        diff = float(np.abs(out.astype(np.float64) - exp.astype(np.float64)).max())
        print('tf restored %s: %d variables, logits max abs diff %.3g' % (a.dir, len(vars_), diff))
        if a.tol is not None and diff > a.tol:
            print('above --tol %g' % a.tol, file=sys.stderr); sys.exit(2)
    else:
        print('tf restored %s: %d variables, logits %s (no expected_logits.json to compare)' % (a.dir, len(vars_), list(out.shape)))

if __name__ == '__main__':
    main()
