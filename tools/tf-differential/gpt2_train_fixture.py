"""Train a GPT-2 checkpoint for K steps of plain SGD with real TF1 and save the result as a fixture.

usage: gpt2_train_fixture.py SRC OUT --steps K --lr X

SRC is a GPT-2 checkpoint directory (state file, model.ckpt, hparams.json, input.json), e.g.
fixtures/tiny_gpt2. The loss is openai/gpt-2 train.py's
    loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(labels=tokens[:, 1:], logits=logits[:, :-1]))
on all rows of SRC/input.json, minimised by tf.compat.v1.train.GradientDescentOptimizer(lr) over
trainable_variables(). Step i's loss is fetched in the same session.run as step i's update, so it is
the loss before that update. OUT gets model.ckpt (relative state file), hparams.json, input.json,
train.json and expected_logits.json (the trained model's logits on input.json). Single-threaded,
so the output is deterministic."""
import argparse, json, os, shutil, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from gpt2_fixture import model
from tfcommon import save_relative, dump_float32, load_tokens
tf1 = tf.compat.v1
tf1.disable_eager_execution()

def lm_loss(tokens, logits):
    """openai/gpt-2 train.py: predict token t+1 from position t."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tokens[:, 1:], logits=logits[:, :-1]))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('src'); p.add_argument('out')
    p.add_argument('--steps', type=int, required=True); p.add_argument('--lr', type=float, required=True)
    a = p.parse_args()
    hp = json.load(open(os.path.join(a.src, 'hparams.json')))
    tokens = load_tokens(os.path.join(a.src, 'input.json'))
    ckpt = tf1.train.latest_checkpoint(a.src)
    if ckpt is None:
        sys.exit('no checkpoint state file in %s' % a.src)
    g = tf.Graph()
    with g.as_default():
        X = tf1.placeholder(tf.int32, [None, None], name='tokens')
        logits = model(hp, X)
        loss = lm_loss(X, logits)
        saver = tf1.train.Saver(var_list=tf1.global_variables(), write_version=tf1.train.SaverDef.V2)
        train_op = tf1.train.GradientDescentOptimizer(a.lr).minimize(loss, var_list=tf1.trainable_variables())
        assert not set(tf1.global_variables()) - set(saver._var_list), 'SGD made extra variables'
        config = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        with tf1.Session(graph=g, config=config) as sess:
            saver.restore(sess, ckpt)
            losses = []
            for _ in range(a.steps):
                l, _ = sess.run([loss, train_op], {X: tokens})
                losses.append(float(l))
            final_loss, out_logits = sess.run([loss, logits], {X: tokens})
            save_relative(saver, sess, a.out)
    for f in ('hparams.json', 'input.json'):
        shutil.copyfile(os.path.join(a.src, f), os.path.join(a.out, f))
    train = {"optimizer": "sgd", "lr": a.lr, "steps": a.steps, "losses": losses,
             "source": os.path.basename(os.path.normpath(a.src))}
    with open(os.path.join(a.out, 'train.json'), 'w') as f:
        json.dump(train, f, indent=1); f.write('\n')
    dump_float32(os.path.join(a.out, 'expected_logits.json'), out_logits)
    print(json.dumps({"out": a.out, "losses": losses, "loss_after": float(final_loss),
                      "max_abs_logit": float(np.abs(out_logits).max())}))

if __name__ == '__main__':
    main()
