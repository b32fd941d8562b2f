"""Check a trained fixture of gpt2_train_fixture.py without TF's math: float64 numpy forward and
hand-written backward of openai/gpt-2's model and train.py loss, K plain SGD steps from SRC.

usage: gpt2_numpy_sgd.py SRC TRAINED [--bugs]

Reads SRC's checkpoint (with TF's CheckpointReader: reading only), TRAINED/train.json (lr, steps),
replays the steps in numpy and prints the max abs differences from TRAINED's losses, weights
(TRAINED/model.ckpt) and expected_logits.json. With --bugs, also how far typical training mistakes
(numpy variants) land from TRAINED, to choose tolerances."""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np

def load_ckpt(d):
    import tensorflow as tf
    r = tf.compat.v1.train.NewCheckpointReader(tf.compat.v1.train.latest_checkpoint(d))
    return {k: r.get_tensor(k).astype(np.float64) for k in r.get_variable_to_shape_map()}

A = np.sqrt(2 / np.pi)

def ln_f(x, g, b):
    u = x.mean(-1, keepdims=True); c = x - u; s = (c * c).mean(-1, keepdims=True)
    r = 1 / np.sqrt(s + 1e-5); xh = c * r
    return xh * g + b, (xh, r, g)
def ln_b(dy, cache):
    xh, r, g = cache
    dg = (dy * xh).reshape(-1, xh.shape[-1]).sum(0); db = dy.reshape(-1, xh.shape[-1]).sum(0)
    dxh = dy * g
    dx = r * (dxh - dxh.mean(-1, keepdims=True) - xh * (dxh * xh).mean(-1, keepdims=True))
    return dx, dg, db
def lin_f(x, w, b): return x @ w[0] + b, (x, w)
def lin_b(dy, cache):
    x, w = cache
    E, F = w.shape[1:]
    dw = (x.reshape(-1, E).T @ dy.reshape(-1, F))[None]; db = dy.reshape(-1, F).sum(0)
    return dy @ w[0].T, dw, db
def gelu_f(x):
    t = np.tanh(A * (x + 0.044715 * x ** 3)); return 0.5 * x * (1 + t), (x, t)
def gelu_b(dy, cache):
    x, t = cache
    return dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * A * (1 + 3 * 0.044715 * x * x))

BUG = None

def forward_backward(W, hp, X):
    B, T = X.shape; E = hp['n_embd']; H = hp['n_head']; D = E // H; L = hp['n_layer']
    h = W['model/wte'][X] + W['model/wpe'][:T][None]
    m = (np.arange(T)[:, None] >= np.arange(T)[None, :]).astype(np.float64)
    caches = []
    for l in range(L):
        p = 'model/h%d/' % l
        a_in, c1 = ln_f(h, W[p + 'ln_1/g'], W[p + 'ln_1/b'])
        qkv, c2 = lin_f(a_in, W[p + 'attn/c_attn/w'], W[p + 'attn/c_attn/b'])
        q, k, v = [z.reshape(B, T, H, D).transpose(0, 2, 1, 3) for z in np.split(qkv, 3, axis=-1)]
        w = q @ k.transpose(0, 1, 3, 2) / np.sqrt(D)
        w = w * m - 1e10 * (1 - m)
        w = w - w.max(-1, keepdims=True); pr = np.exp(w); pr /= pr.sum(-1, keepdims=True)
        a = (pr @ v).transpose(0, 2, 1, 3).reshape(B, T, E)
        ao, c3 = lin_f(a, W[p + 'attn/c_proj/w'], W[p + 'attn/c_proj/b'])
        h = h + ao
        m_in, c4 = ln_f(h, W[p + 'ln_2/g'], W[p + 'ln_2/b'])
        f, c5 = lin_f(m_in, W[p + 'mlp/c_fc/w'], W[p + 'mlp/c_fc/b'])
        gf, c6 = gelu_f(f)
        mo, c7 = lin_f(gf, W[p + 'mlp/c_proj/w'], W[p + 'mlp/c_proj/b'])
        h = h + mo
        caches.append((c1, c2, q, k, v, pr, c3, c4, c5, c6, c7))
    hf, cf = ln_f(h, W['model/ln_f/g'], W['model/ln_f/b'])
    logits = hf @ W['model/wte'].T
    # train.py loss: mean cross-entropy of logits[:, :-1] against tokens[:, 1:]
    z = logits[:, :-1]; z = z - z.max(-1, keepdims=True)
    lse = np.log(np.exp(z).sum(-1)); y = X[:, 1:]
    loss = (lse - np.take_along_axis(z, y[..., None], -1)[..., 0]).mean()
    G = {k: np.zeros_like(v) for k, v in W.items()}
    dz = np.exp(z - lse[..., None]); np.put_along_axis(dz, y[..., None], np.take_along_axis(dz, y[..., None], -1) - 1, -1)
    dlogits = np.zeros_like(logits); dlogits[:, :-1] = dz / (B * T if BUG == 'loss_mean_over_B_times_T' else B * (T - 1))
    if BUG != 'wte_grad_only_from_embedding':
        G['model/wte'] += dlogits.reshape(-1, dlogits.shape[-1]).T @ hf.reshape(-1, E)
    dh, G['model/ln_f/g'], G['model/ln_f/b'] = ln_b(dlogits @ W['model/wte'], cf)
    for l in reversed(range(L)):
        p = 'model/h%d/' % l
        c1, c2, q, k, v, pr, c3, c4, c5, c6, c7 = caches[l]
        dgf, G[p + 'mlp/c_proj/w'], G[p + 'mlp/c_proj/b'] = lin_b(dh, c7)
        dm_in, G[p + 'mlp/c_fc/w'], G[p + 'mlp/c_fc/b'] = lin_b(gelu_b(dgf, c6), c5)
        dx, G[p + 'ln_2/g'], G[p + 'ln_2/b'] = ln_b(dm_in, c4)
        dh = dh + dx
        da, G[p + 'attn/c_proj/w'], G[p + 'attn/c_proj/b'] = lin_b(dh, c3)
        da = da.reshape(B, T, H, D).transpose(0, 2, 1, 3)
        dpr = da @ v.transpose(0, 1, 3, 2); dv = pr.transpose(0, 1, 3, 2) @ da
        dw = pr * (dpr - (dpr * pr).sum(-1, keepdims=True)) * m / np.sqrt(D)
        dq = dw @ k; dk = dw.transpose(0, 1, 3, 2) @ q
        dqkv = np.concatenate([t.transpose(0, 2, 1, 3).reshape(B, T, E) for t in (dq, dk, dv)], -1)
        da_in, G[p + 'attn/c_attn/w'], G[p + 'attn/c_attn/b'] = lin_b(dqkv, c2)
        dx, G[p + 'ln_1/g'], G[p + 'ln_1/b'] = ln_b(da_in, c1)
        dh = dh + dx
    if BUG != 'wte_grad_only_from_logits':
        np.add.at(G['model/wte'], X.reshape(-1), dh.reshape(-1, E))
    G['model/wpe'][:T] += dh.sum(0)
    if BUG == 'layer_norm_params_frozen':
        for k in G:
            if '/ln_' in k: G[k][...] = 0
    return loss, logits, G

def replay(W, hp, X, tr):
    losses = []
    for _ in range(tr['steps']):
        loss, _, G = forward_backward(W, hp, X)
        losses.append(loss)
        W = {k: W[k] - tr['lr'] * G[k] for k in W}
    after, logits, _ = forward_backward(W, hp, X)
    if BUG == 'losses_recorded_after_update':
        losses = losses[1:] + [after]
    return losses, W, logits

def main():
    global BUG
    src, trained = sys.argv[1:3]
    hp = json.load(open(os.path.join(src, 'hparams.json')))
    X = np.asarray(json.load(open(os.path.join(src, 'input.json')))['tokens'], np.int64)
    tr = json.load(open(os.path.join(trained, 'train.json')))
    W0 = load_ckpt(src); Wt = load_ckpt(trained)
    d = json.load(open(os.path.join(trained, 'expected_logits.json')))
    exp = np.asarray(d['data'], np.float64).reshape(d['shape'])
    def diffs(losses, W, logits):
        return {"losses_max_abs_diff": float(np.abs(np.array(losses) - np.array(tr['losses'])).max()),
                "weights_max_abs_diff": max(float(np.abs(W[k] - Wt[k]).max()) for k in W),
                "logits_max_abs_diff": float(np.abs(logits - exp).max())}
    losses, W, logits = replay(W0, hp, X, tr)
    res = {"trained": trained, "numpy_losses": losses, **diffs(losses, W, logits),
           "weights_max_abs_change_by_training": max(float(np.abs(Wt[k] - v).max()) for k, v in W0.items())}
    if '--bugs' in sys.argv[3:]:
        res["bugs"] = {}
        for BUG in ('wte_grad_only_from_logits', 'wte_grad_only_from_embedding', 'loss_mean_over_B_times_T',
                    'layer_norm_params_frozen', 'losses_recorded_after_update'):
            res["bugs"][BUG] = diffs(*replay(W0, hp, X, tr))
        BUG = None
    print(json.dumps(res, indent=1))

if __name__ == '__main__':
    main()
