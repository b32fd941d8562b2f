"""Helpers shared by the TF-side scripts: relative checkpoint state files and the fixture JSON formats."""
import json, os

def save_relative(saver, sess, out, prefix='model.ckpt'):
    """Saver.save into OUT/PREFIX, then rewrite OUT/checkpoint so it holds only the relative prefix."""
    os.makedirs(out, exist_ok=True)
    saver.save(sess, os.path.join(out, prefix), write_meta_graph=False)
    with open(os.path.join(out, 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "%s"\nall_model_checkpoint_paths: "%s"\n' % (prefix, prefix))

def dump_float32(path, arr):
    """{"shape","dtype","data"}: row-major, each float32 printed as the double it equals (exact)."""
    with open(path, 'w') as f:
        json.dump({"shape": list(arr.shape), "dtype": "float32", "data": [float(x) for x in arr.ravel()]},
                  f, separators=(',', ':'))

def load_float32(path):
    import numpy as np
    d = json.load(open(path))
    return np.asarray(d["data"], dtype=np.float32).reshape(d["shape"])

def load_tokens(path):
    import numpy as np
    d = json.load(open(path))
    return np.asarray(d["tokens"], dtype=np.int32).reshape(d["shape"])

def dump_tokens(path, tokens):
    with open(path, 'w') as f:
        json.dump({"tokens": tokens.tolist(), "shape": list(tokens.shape), "dtype": "int32"}, f)
