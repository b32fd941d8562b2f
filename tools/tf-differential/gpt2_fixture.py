"""Write a GPT-2 checkpoint of any configuration with real TF1 (openai/gpt-2 model.py structure),
plus hparams.json, input.json and expected_logits.json, for `gpt2 --checkpoint DIR`."""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from tfcommon import save_relative
tf1 = tf.compat.v1
tf1.disable_eager_execution()

def shape_list(x):
    static = x.shape.as_list(); dynamic = tf.shape(x)
    return [dynamic[i] if s is None else s for i, s in enumerate(static)]
def softmax(x, axis=-1):
    x = x - tf.reduce_max(x, axis=axis, keepdims=True); ex = tf.exp(x)
    return ex / tf.reduce_sum(ex, axis=axis, keepdims=True)
def gelu(x): return 0.5 * x * (1 + tf.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * tf.pow(x, 3))))
def norm(x, scope, *, axis=-1, epsilon=1e-5):
    with tf1.variable_scope(scope):
        n_state = x.shape[-1]
        g = tf1.get_variable('g', [n_state], initializer=tf1.constant_initializer(1))
        b = tf1.get_variable('b', [n_state], initializer=tf1.constant_initializer(0))
        u = tf.reduce_mean(x, axis=axis, keepdims=True)
        s = tf.reduce_mean(tf.square(x - u), axis=axis, keepdims=True)
        x = (x - u) * tf.math.rsqrt(s + epsilon)
        return x * g + b
def split_states(x, n):
    *start, m = shape_list(x); return tf.reshape(x, start + [n, m // n])
def merge_states(x):
    *start, a, b = shape_list(x); return tf.reshape(x, start + [a * b])
def conv1d(x, scope, nf, *, w_init_stdev=0.02):
    with tf1.variable_scope(scope):
        *start, nx = shape_list(x)
        w = tf1.get_variable('w', [1, nx, nf], initializer=tf1.random_normal_initializer(stddev=w_init_stdev))
        b = tf1.get_variable('b', [nf], initializer=tf1.constant_initializer(0))
        return tf.reshape(tf.matmul(tf.reshape(x, [-1, nx]), tf.reshape(w, [-1, nf])) + b, start + [nf])
def attention_mask(nd, ns, *, dtype):
    i = tf.range(nd)[:, None]; j = tf.range(ns); m = i >= j - ns + nd
    return tf.cast(m, dtype)
def attn(x, scope, n_state, *, hparams):
    def split_heads(x): return tf.transpose(split_states(x, hparams['n_head']), [0, 2, 1, 3])
    def merge_heads(x): return merge_states(tf.transpose(x, [0, 2, 1, 3]))
    def mask_attn_weights(w):
        _, _, nd, ns = shape_list(w)
        b = tf.reshape(attention_mask(nd, ns, dtype=w.dtype), [1, 1, nd, ns])
        return w * b - tf.cast(1e10, w.dtype) * (1 - b)
    def multihead_attn(q, k, v):
        w = tf.matmul(q, k, transpose_b=True)
        w = w * tf.math.rsqrt(tf.cast(v.shape[-1], w.dtype))
        return tf.matmul(softmax(mask_attn_weights(w)), v)
    with tf1.variable_scope(scope):
        c = conv1d(x, 'c_attn', n_state * 3)
        q, k, v = map(split_heads, tf.split(c, 3, axis=2))
        return conv1d(merge_heads(multihead_attn(q, k, v)), 'c_proj', n_state)
def mlp(x, scope, n_state):
    with tf1.variable_scope(scope):
        nx = x.shape[-1]
        return conv1d(gelu(conv1d(x, 'c_fc', n_state)), 'c_proj', nx)
def block(x, scope, *, hparams):
    with tf1.variable_scope(scope):
        nx = x.shape[-1]
        x = x + attn(norm(x, 'ln_1'), 'attn', nx, hparams=hparams)
        return x + mlp(norm(x, 'ln_2'), 'mlp', nx * 4)
def model(hparams, X, scope='model'):
    with tf1.variable_scope(scope):
        batch, sequence = shape_list(X)
        wpe = tf1.get_variable('wpe', [hparams['n_ctx'], hparams['n_embd']], initializer=tf1.random_normal_initializer(stddev=0.01))
        wte = tf1.get_variable('wte', [hparams['n_vocab'], hparams['n_embd']], initializer=tf1.random_normal_initializer(stddev=0.02))
        h = tf.gather(wte, X) + tf.gather(wpe, tf.tile(tf.range(sequence)[None], [batch, 1]))
        for layer in range(hparams['n_layer']):
            h = block(h, 'h%d' % layer, hparams=hparams)
        h = norm(h, 'ln_f')
        logits = tf.matmul(tf.reshape(h, [batch * sequence, hparams['n_embd']]), wte, transpose_b=True)
        return tf.reshape(logits, [batch, sequence, hparams['n_vocab']])

def main(out, n_vocab, n_ctx, n_embd, n_head, n_layer, batch, seq, seed):
    hp = dict(n_vocab=n_vocab, n_ctx=n_ctx, n_embd=n_embd, n_head=n_head, n_layer=n_layer)
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, n_vocab, size=(batch, seq)).astype(np.int32)
    g = tf.Graph()
    with g.as_default():
        X = tf1.placeholder(tf.int32, [None, None])
        logits = model(hp, X)
        vars_ = tf1.global_variables()
        assigns = []
        for v in vars_:
            shape = v.shape.as_list()
            if v.name.endswith('/g:0'): val = 1 + 0.3 * rng.standard_normal(shape)
            elif v.name.endswith('/b:0'): val = 0.1 * rng.standard_normal(shape)
            else: val = 0.15 * rng.standard_normal(shape)
            assigns.append(tf1.assign(v, val.astype(np.float32)))
        saver = tf1.train.Saver(write_version=tf1.train.SaverDef.V2, save_relative_paths=True)  # relocatable: no absolute path in the state file
        with tf1.Session(graph=g) as sess:
            sess.run(assigns)
            out_logits = sess.run(logits, {X: tokens})
            save_relative(saver, sess, out)   # state file holds "model.ckpt", not an absolute path
    json.dump(hp, open(os.path.join(out, 'hparams.json'), 'w'))
    json.dump({"tokens": tokens.tolist(), "shape": list(tokens.shape), "dtype": "int32"}, open(os.path.join(out, 'input.json'), 'w'))
    json.dump({"shape": list(out_logits.shape), "dtype": "float32", "data": [float(x) for x in out_logits.ravel()]},
              open(os.path.join(out, 'expected_logits.json'), 'w'))
    json.dump({"variables": [{"name": v.name[:-2], "shape": v.shape.as_list(), "dtype": "float32"} for v in vars_]},
              open(os.path.join(out, 'manifest.json'), 'w'), indent=1)

if __name__ == '__main__':
    a = sys.argv[1:]
    main(a[0], *map(int, a[1:]))
