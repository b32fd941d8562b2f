"""Write the step programs of the own layer scenarios (tests/conformance-own/layers/).

    python3 tools/tf-differential/layer_scenarios.py OUT_DIR
    TFPY tools/tf-differential/run_tf.py OUT_DIR/own_layer_*.json   # TF fills `expect`

Each scenario is one JSON file in the format of FORMAT.md ("Layer steps"),
named `own_layer_<name>.json`, with an empty `expect` until run_tf.py fills
it. No TensorFlow is needed here.
"""
import json, os, sys

def vs(name, *body, **kw):
    s = {"variable_scope": name}; s.update(kw); s["body"] = list(body); return s
def ns(name, *body, **kw):
    s = {"name_scope": name}; s.update(kw); s["body"] = list(body); return s
def L(kind, inp, **kw):
    s = {"layer": kind, "input": inp}; s.update(kw); return s
def dense(inp, units, **kw): return L("dense", inp, units=units, **kw)
def ln(inp, **kw): return L("layer_norm", inp, **kw)
def gv(name, shape=None, **kw):
    s = {"get_variable": name}
    if shape is not None: s["shape"] = shape
    s.update(kw); return s
def op(name): return {"op": name}
def coll(c, scope=None):
    s = {"collection": c}
    if scope is not None: s["scope"] = scope
    return s
def ref(l): return {"ref": l}
def gvs(capture=None):
    s = {"get_variable_scope": True}
    if capture: s["capture"] = capture
    return s
def tmpl(name, capture, **kw):
    s = {"make_template": name}; s.update(kw); s["capture"] = capture; return s
def call(label, *body): return {"call_template": label, "body": list(body)}

S = []
def scenario(name, description, *steps):
    S.append({"name": "own_layer_" + name, "description": description, "steps": list(steps), "expect": []})

# ---- auxiliary_name_scope=False --------------------------------------------------
scenario("aux_name_scope_false_default_names",
    "dense and layer_norm inside variable_scope('a', auxiliary_name_scope=False): default names count in a, ops go to the root name scope",
    vs("a", dense([2, 3], 4), dense([2, 3], 4), ln([2, 4]), ln([2, 4]), auxiliary_name_scope=False),
    vs("a", dense([2, 3], 4)),
    dense([2, 3], 4),
    coll("global"))

scenario("aux_name_scope_false_captured_reentry",
    "a captured scope re-entered with auxiliary_name_scope=False: unnamed layers restart the counters there, named layers share under reuse=auto",
    vs("enc", dense([2, 3], 4), capture="E"),
    vs(ref("E"), dense([2, 3], 4, name="fc"), dense([2, 3], 4), auxiliary_name_scope=False),
    vs(ref("E"), dense([2, 3], 4, name="fc"), dense([2, 3], 4), dense([2, 3], 4), auxiliary_name_scope=False, reuse="auto"),
    coll("trainable"))

scenario("aux_name_scope_false_inside_name_scope",
    "name_scope('blk') > variable_scope('v', auxiliary_name_scope=False) > dense, conv2d: ops in blk/, variables under v/",
    ns("blk", vs("v", dense([2, 3], 2), L("conv2d", [1, 5, 5, 2], filters=3, kernel_size=3), auxiliary_name_scope=False)),
    ns("blk", vs("v", dense([2, 3], 2, reuse=True), auxiliary_name_scope=False)))

# ---- captured scopes with AUTO_REUSE ------------------------------------------
scenario("captured_scope_reentered_auto_reuse_default_names",
    "vs a {dense; dense}; re-entering the captured a with reuse=auto: dense, dense share, a third unnamed dense is created as a/dense_2",
    vs("a", dense([2, 3], 4), dense([2, 3], 4), capture="A"),
    vs(ref("A"), dense([2, 3], 4), dense([2, 3], 4), dense([2, 3], 4), reuse="auto"),
    vs(ref("A"), dense([2, 3], 4), reuse=True),
    coll("global", "a/"))

scenario("captured_scope_auto_reuse_named_layer_ref",
    "dense(name=<captured scope>) when the captured object was opened with reuse=auto: first call creates, second shares; ops uniquified in its original name scope",
    vs("outer", vs("blk", gv("w", [1]), capture="B", reuse="auto")),
    dense([2, 3], 4, name=ref("B")),
    dense([2, 3], 4, name=ref("B")),
    vs("other", dense([2, 3], 4, name=ref("B"))),
    coll("trainable"))

scenario("captured_scope_ref_inside_itself",
    "dense(name=<the current scope object>) captured with get_variable_scope inside that scope, and the root scope object as a name",
    vs("m", gvs("M"), dense([2, 3], 4, name=ref("M")), dense([2, 3], 4)),
    gvs("ROOT"),
    dense([2, 3], 2, name=ref("ROOT")),
    ln([2, 4], scope=ref("ROOT")),
    coll("global"))

scenario("captured_scope_reuse_variables_on_object",
    "dense(name=<captured s>) inside s creates s/kernel; reuse_variables() on s then makes dense(name=<s>) share from reuse=False contexts, batch_normalization(name=<s>) fail NotFound, and re-entering s with reuse=False cannot turn it off",
    vs("s", gvs("S"), dense([2, 3], 4, name=ref("S")), {"reuse_variables": True}, gvs()),
    vs("t", dense([2, 3], 4, name=ref("S"))),
    dense([2, 3], 4, name=ref("S")),
    L("batch_normalization", [2, 4], name=ref("S")),
    vs(ref("S"), gvs(), dense([2, 3], 4, name=ref("S")), reuse=False))

# ---- names at the edge of validity -------------------------------------------
scenario("names_edge_characters_root",
    "layer names with '.', '-', '>', digits first, leading '_' or '-' at the root",
    dense([2, 3], 1, name="a.b"),
    dense([2, 3], 1, name="x-y"),
    dense([2, 3], 1, name="1st"),
    dense([2, 3], 1, name=".hidden"),
    dense([2, 3], 1, name="_x"),
    dense([2, 3], 1, name="-x"),
    dense([2, 3], 1, name="a>b"),
    dense([2, 3], 1, name="a b"),
    ln([2, 3], scope="ln.1"),
    ln([2, 3], scope="_ln"),
    L("max_pooling2d", [1, 4, 4, 1], pool_size=2, strides=2, name="p.q"),
    L("flatten", [2, 2, 2], name="_f"),
    dense([2, 3], 1),
    coll("global"))

scenario("names_edge_characters_nested",
    "the same edge names one scope down, where the non-root pattern allows a leading '_', '-', '>' ",
    vs("n",
       dense([2, 3], 1, name="_x"),
       dense([2, 3], 1, name="-x"),
       dense([2, 3], 1, name=">x"),
       dense([2, 3], 1, name="a b"),
       dense([2, 3], 1, name="a\\b"),
       ln([2, 3], scope="_ln"),
       L("dropout", [2, 3], name="_d"),
       L("average_pooling2d", [1, 4, 4, 1], pool_size=2, strides=2, name="-p")),
    coll("trainable"))

scenario("names_with_slashes",
    "layer names with an inner slash, a trailing slash and a leading slash; layer_norm scope with a trailing slash",
    dense([2, 3], 2, name="a/b"),
    dense([2, 3], 2, name="fc/"),
    dense([2, 3], 2, name="fc/"),
    vs("v", dense([2, 3], 2, name="x/"), dense([2, 3], 2, name="/y")),
    ln([2, 3], scope="ln/"),
    L("flatten", [2, 2, 2], name="fl/"),
    coll("global"))

# ---- default names after failed calls ----------------------------------------
scenario("default_names_after_failed_calls",
    "which failed layer calls use up a default name: wrong rank (after), units<0 and bad name (before), AlreadyExists on a named layer (no effect), AlreadyExists on the bias of the next default name (after the kernel was created, which stays)",
    dense([3], 2),
    dense([2, 3], 2),
    dense([2, 3], -1),
    dense([2, 3], 2),
    dense([2, 3], 2, name="bad name"),
    dense([2, 3], 2),
    dense([2, 3], 2, name="dense_2"),
    dense([2, 3], 2),
    gv("dense_5/bias", [7]),
    dense([2, 3], 2),
    dense([2, 3], 2),
    coll("global"))

scenario("default_names_after_failed_layer_norm_and_conv",
    "layer_norm with bad axes, with reuse and no scope, conv2d on an unknown channel, conv2d too small, dropout rate 1.5, then unnamed calls of each",
    ln([2, 3], begin_norm_axis=3),
    ln([2, 3]),
    ln([2, 3], reuse=True),
    ln([2, 3]),
    L("conv2d", [1, 4, 4, None], filters=2, kernel_size=1),
    L("conv2d", [1, 4, 4, 1], filters=2, kernel_size=1),
    L("conv2d", [1, 2, 2, 1], filters=2, kernel_size=3),
    L("conv2d", [1, 4, 4, 1], filters=2, kernel_size=1),
    L("dropout", [2, 3], rate=1.5),
    L("dropout", [2, 3]),
    L("dropout", [2, 3], rate=1.0, training=True),
    L("dropout", [2, 3]),
    coll("global"))

scenario("failed_call_in_auto_reuse_scope",
    "in an auto scope a failing unnamed dense still counts; re-entering restarts and the failed leaf is created by the next call",
    vs("a", dense([3], 2), dense([2, 3], 2), reuse="auto"),
    vs("a", dense([2, 3], 2), dense([2, 3], 2), dense([2, 3], 2), reuse="auto"),
    coll("global"))

# ---- templates -----------------------------------------------------------------
scenario("nested_templates_with_layers",
    "template outer calls template inner (made inside outer's first call) with dense and layer_norm; second outer call shares",
    tmpl("outer", "O"),
    call("O", dense([2, 3], 4), tmpl("inner", "I"), call("I", dense([2, 4], 4), ln([2, 4])), dense([2, 4], 2)),
    call("O", dense([2, 3], 4), call("I", dense([2, 4], 4), ln([2, 4])), dense([2, 4], 2)),
    coll("trainable"),
    coll("model_variables"))

scenario("template_made_outside_called_inside_template",
    "inner template made at the root, first called inside outer's body: its scope is fixed at that first call",
    tmpl("inner", "I"),
    tmpl("outer", "O"),
    call("O", call("I", dense([2, 3], 2)), dense([2, 3], 2)),
    call("I", dense([2, 3], 2)),
    call("O", call("I", dense([2, 3], 2)), dense([2, 3], 2)),
    coll("global"))

scenario("template_layers_called_in_reuse_scopes",
    "a create_scope_now template with layers called at the root, in a reuse=True scope and in an auto scope",
    vs("model", tmpl("enc", "E", create_scope_now=True)),
    call("E", dense([2, 3], 4), ln([2, 4])),
    vs("eval", call("E", dense([2, 3], 4), ln([2, 4])), reuse=True),
    vs("serve", call("E", dense([2, 3], 4), ln([2, 4])), reuse="auto"),
    coll("global"))

scenario("template_unique_name_with_layers",
    "two templates made with the same name and unique_name: layers land in net/ and net_1/ ",
    tmpl("net", "A"),
    tmpl("net", "B"),
    call("A", dense([2, 3], 2)),
    call("B", dense([2, 3], 2)),
    call("A", dense([2, 3], 2)),
    tmpl("x", "C", unique_name="net"),
    call("C", dense([2, 3], 2)),
    coll("global"))

# ---- reuse=True on default names of other layer kinds --------------------------
scenario("conv2d_transpose_reuse_true_default_name",
    "conv2d_transpose(reuse=True) without a name shares conv2d_transpose/*; how the next unnamed calls are numbered",
    L("conv2d_transpose", [1, 3, 3, 2], filters=4, kernel_size=2),
    L("conv2d_transpose", [1, 3, 3, 2], filters=4, kernel_size=2, reuse=True),
    L("conv2d_transpose", [1, 3, 3, 2], filters=4, kernel_size=2),
    L("conv2d_transpose", [1, 3, 3, 2], filters=4, kernel_size=2, reuse="auto"),
    L("conv2d_transpose", [1, 3, 3, 2], filters=4, kernel_size=2),
    coll("global"))

scenario("separable_conv2d_reuse_true_default_name",
    "separable_conv2d(reuse=True) on the default name, and with another depth_multiplier (ShapeMismatch)",
    L("separable_conv2d", [1, 5, 5, 3], filters=4, kernel_size=3),
    L("separable_conv2d", [1, 5, 5, 3], filters=4, kernel_size=3, reuse=True),
    L("separable_conv2d", [1, 5, 5, 3], filters=4, kernel_size=3, reuse=True, depth_multiplier=2),
    L("separable_conv2d", [1, 5, 5, 3], filters=4, kernel_size=3),
    coll("global"))

scenario("batch_norm_reuse_true_default_name_update_ops",
    "batch_normalization(reuse=True) on the default name in training mode: shared statistics, update ops in new name scopes",
    L("batch_normalization", [2, 4], training=True),
    L("batch_normalization", [2, 4], training=True, reuse=True),
    L("batch_normalization", [2, 2, 2, 4], training=True, reuse=True),
    L("batch_normalization", [2, 4], training=True),
    coll("update_ops"),
    coll("update_ops", "batch_normalization_1"),
    coll("trainable"),
    coll("moving_average_variables"))

scenario("batch_norm_towers_auto_reuse_update_ops",
    "two towers under vs('model', reuse=auto) > name_scope('tower_%d') > batch_normalization(name='bn', training=True)",
    vs("model",
       ns("tower_0", L("batch_normalization", [2, 2, 2, 3], name="bn", training=True), L("batch_normalization", [2, 3], training=True)),
       ns("tower_1", L("batch_normalization", [2, 2, 2, 3], name="bn", training=True), L("batch_normalization", [2, 3], training=True)),
       reuse="auto"),
    coll("update_ops"),
    coll("update_ops", "model/tower_1"),
    coll("global"))

# ---- layer_norm scope/reuse combinations ---------------------------------------
scenario("layer_norm_scope_reuse_combinations",
    "layer_norm with scope string and reuse absent/true/auto/false, captured scope with reuse true, unnamed with reuse false",
    ln([2, 4], scope="ln"),
    ln([2, 4], scope="ln", reuse=True),
    ln([2, 4], scope="ln", reuse="auto"),
    ln([2, 4], scope="ln", reuse=False),
    ln([2, 4], scope="ln"),
    ln([2, 4], scope="new", reuse=True),
    ln([2, 4], scope="new", reuse="auto"),
    ln([2, 4], reuse=False),
    ln([2, 4], reuse=None),
    vs("c", gv("x", [1]), capture="C"),
    ln([2, 4], scope=ref("C")),
    ln([2, 4], scope=ref("C"), reuse=True),
    ln([2, 6], scope=ref("C"), reuse=True),
    coll("model_variables"))

scenario("layer_norm_in_reuse_scopes",
    "unnamed layer_norm inside reuse=True and reuse=auto scopes (inherited reuse, no InvalidArgument), and in a default-named scope",
    vs("r", ln([2, 4])),
    vs("r", ln([2, 4]), ln([2, 4]), reuse=True),
    vs("r", ln([2, 4]), ln([2, 4]), reuse="auto"),
    vs(None, ln([2, 4]), default_name="blk"),
    vs(None, ln([2, 4]), default_name="blk"),
    coll("model_variables"))

scenario("layer_norm_case_insensitive_and_tf_layers",
    "layer_norm(scope='layernorm') then unnamed layer_norm: op names collide case-insensitively; dense(name='LayerNorm') afterwards",
    ln([2, 4], scope="layernorm"),
    ln([2, 4]),
    dense([2, 4], 2, name="LayerNorm"),
    ln([2, 4]),
    coll("global"))

scenario("layer_norm_param_axes_rank4",
    "layer_norm on a rank-4 input with begin_params_axis 1, -2, -3, center/scale off, and an unknown inner dimension",
    ln([2, 3, 4, 5], begin_params_axis=1),
    ln([2, 3, 4, 5], begin_params_axis=-2, begin_norm_axis=1),
    ln([2, 3, 4, 5], begin_params_axis=-3, center=False),
    ln([2, 3, 4, 5], scale=False, activation_fn="relu"),
    ln([2, 3, 4, 5], center=False, scale=False),
    ln([2, None, 4], begin_params_axis=1),
    ln([None, 3, 4], begin_params_axis=1),
    coll("model_variables"))

# ---- model patterns -------------------------------------------------------------
def albert_block(H, I):
    def d3(name, shape_k, shape_b):
        return vs(name, gv("kernel", shape_k), gv("bias", shape_b, initializer={"zeros": {}}))
    return [
        vs("attention_1",
           vs("self", d3("query", [H, H], [H]), d3("key", [H, H], [H]), d3("value", [H, H], [H])),
           vs("output", d3("dense", [H, H], [H]))),
        ln([2, 5, H]),
        vs("ffn_1",
           vs("intermediate", d3("dense", [H, I], [I]),
              vs("output", d3("dense", [I, H], [H])))),
        ln([2, 5, H])]

def albert(layers, groups, inner, H=8, I=12):
    body = []
    for l in range(layers):
        g = int(l / layers * groups)
        body.append(vs("group_%d" % g,
                       ns("layer_%d" % l,
                          *[vs("inner_group_%d" % i, *albert_block(H, I)) for i in range(inner)])))
    return vs("bert", vs("encoder", vs("embedding_hidden_mapping_in", gv("kernel", [4, H]), gv("bias", [H], initializer={"zeros": {}})),
                        vs("transformer", *body, reuse="auto")))

scenario("albert_two_groups_three_layers",
    "ALBERT transformer with 3 layers, 2 hidden groups and 2 inner groups: vs transformer(auto) > vs group_%d > name_scope layer_%d > vs inner_group_%d; layer 1 shares group_0, layer 2 creates group_1",
    albert(3, 2, 2),
    coll("model_variables"),
    coll("trainable", "bert/encoder/transformer/group_1/inner_group_1/"))

scenario("albert_four_layers_two_groups",
    "ALBERT with 4 layers over 2 groups (1 inner group): layers 0,1 in group_0 and 2,3 in group_1; LayerNorm/LayerNorm_1 per inner group",
    albert(4, 2, 1),
    coll("model_variables"))

def bert_layer(l, H, I):
    return vs("layer_%d" % l,
              vs("attention",
                 vs("self", dense([10, H], H, name="query"), dense([10, H], H, name="key"), dense([10, H], H, name="value")),
                 vs("output", dense([10, H], H), ln([10, H]))),
              vs("intermediate", dense([10, H], I, activation="relu")),
              vs("output", dense([10, I], H), ln([10, H])))

scenario("bert_encoder_and_heads",
    "BERT: bert/embeddings + LayerNorm, bert/encoder/layer_%d/attention/self/query|key|value (named dense), output/dense (unnamed) + LayerNorm, pooler, cls/predictions and cls/seq_relationship heads",
    vs("bert",
       vs("embeddings", gv("word_embeddings", [11, 8]), gv("token_type_embeddings", [2, 8]), gv("position_embeddings", [16, 8]), ln([2, 5, 8])),
       vs("encoder", bert_layer(0, 8, 12), bert_layer(1, 8, 12)),
       vs("pooler", dense([2, 8], 8, activation="tanh"))),
    vs("cls/predictions",
       vs("transform", dense([6, 8], 8, activation="relu"), ln([6, 8])),
       gv("output_bias", [11], initializer={"zeros": {}})),
    vs("cls/seq_relationship", gv("output_weights", [2, 8]), gv("output_bias", [2], initializer={"zeros": {}})),
    coll("model_variables"),
    coll("trainable", "bert/encoder/layer_1/"))

scenario("bert_reuse_for_second_tower",
    "BERT encoder layer built twice under vs('bert', reuse=auto): second pass shares every dense and LayerNorm, ops in bert_1/...",
    vs("bert", vs("encoder", bert_layer(0, 8, 12)), reuse="auto"),
    vs("bert", vs("encoder", bert_layer(0, 8, 12)), reuse="auto"),
    coll("global"))

scenario("pooling_flatten_dense_mixed_default_names",
    "a CNN with unnamed conv2d, max_pooling2d, average_pooling2d, flatten, dropout and dense, then a flatten(name='dense') and dropout(name='conv2d') whose names act as default names",
    L("conv2d", [2, 8, 8, 1], filters=2, kernel_size=3, padding="same", capture="c1"),
    L("max_pooling2d", ref("c1"), pool_size=2, strides=2, capture="p1"),
    L("conv2d", ref("p1"), filters=2, kernel_size=3, padding="same", capture="c2"),
    L("average_pooling2d", ref("c2"), pool_size=2, strides=2, capture="p2"),
    L("max_pooling2d", ref("c2"), pool_size=2, strides=2, name="max_pooling2d"),
    L("flatten", ref("p2"), capture="f"),
    L("dense", ref("f"), units=5, capture="d1"),
    L("dropout", ref("d1"), rate=0.5, training=True, capture="dr"),
    L("dense", ref("dr"), units=3),
    L("flatten", [2, 2, 2], name="dense"),
    L("dense", [2, 3], units=1),
    L("dropout", [2, 3], name="conv2d"),
    L("conv2d", [2, 8, 8, 1], filters=1, kernel_size=1),
    coll("global"))

scenario("variable_free_layer_name_meets_scope_name",
    "vs('pool') then max_pooling2d(name='pool'): the default-name counter of 'pool' and the name scope pool_1; flatten after op 'flatten'",
    vs("pool", gv("w", [1])),
    L("max_pooling2d", [1, 4, 4, 1], pool_size=2, strides=2, name="pool"),
    L("max_pooling2d", [1, 4, 4, 1], pool_size=2, strides=2, name="pool"),
    dense([2, 3], 2, name="pool"),
    op("flatten"),
    L("flatten", [2, 2, 2]),
    L("flatten", [2, 2, 2]),
    dense([2, 3], 2, name="flatten"))

scenario("layer_names_vs_op_names",
    "ops named dense and dense_1 before unnamed dense layers: variables keep dense, dense_1, name scopes move on",
    op("dense"), op("dense_1"),
    dense([2, 3], 2), dense([2, 3], 2), dense([2, 3], 2),
    vs("dense_2", gv("v", [1])),
    dense([2, 3], 2),
    coll("global"))

scenario("trainable_flag_kept_on_reuse",
    "dense(trainable=False) created, then reused with trainable=True (and the reverse): the flag stays the creation's",
    dense([2, 3], 2, name="fc", trainable=False),
    dense([2, 3], 2, name="fc", reuse=True, trainable=True),
    dense([2, 3], 2, name="fd"),
    dense([2, 3], 2, name="fd", reuse=True, trainable=False),
    ln([2, 4], scope="ln", trainable=False),
    ln([2, 4], scope="ln", reuse=True),
    coll("trainable"),
    coll("model_variables"))

scenario("conv_shapes_strides_dilation_unknown_batch",
    "output shapes of conv1d causal/dilated, conv2d strided SAME/VALID, conv2d_transpose strided, on unknown batch dimensions",
    L("conv1d", [None, 10, 3], filters=4, kernel_size=3, padding="causal", dilation_rate=2),
    L("conv1d", [None, 10, 3], filters=4, kernel_size=3, strides=2, padding="SAME"),
    L("conv2d", [None, 7, 9, 2], filters=3, kernel_size=[3, 2], strides=[2, 3], padding="same"),
    L("conv2d", [None, 7, 9, 2], filters=3, kernel_size=3, strides=2),
    L("conv2d_transpose", [None, 4, 5, 2], filters=3, kernel_size=3, strides=2, padding="same"),
    L("conv2d_transpose", [None, 4, 5, 2], filters=3, kernel_size=3, strides=2),
    L("separable_conv2d", [None, 6, 6, 2], filters=3, kernel_size=3, dilation_rate=2),
    L("max_pooling2d", [None, 7, 7, 2], pool_size=3, strides=2, padding="same"))

scenario("batch_norm_axes_fused_variants",
    "batch_normalization on rank 4 with axis 1, axis -1 fused=False, axis [1, 3], rank 3 with fused=True, training False and True: shapes, variables and update ops",
    L("batch_normalization", [2, 3, 4, 5], axis=1),
    L("batch_normalization", [2, 3, 4, 5], fused=False, training=True),
    L("batch_normalization", [2, 3, 4, 5], axis=[1, 3], training=True),
    L("batch_normalization", [2, 3, 4], fused=True, training=True),
    L("batch_normalization", [2, 3, 4, 5], axis=1, training=True, trainable=False),
    L("batch_normalization", [2, 3, 4, None]),
    L("batch_normalization", [2, 3, 4, 5], axis=4),
    L("batch_normalization", [2, 3, 4, 5]),
    coll("update_ops"),
    coll("trainable"),
    coll("global", "batch_normalization_4/"))

scenario("dense_higher_rank_and_unknown_dims",
    "dense on inputs of rank 3 and 4 with unknown leading dimensions, rank 2 fully unknown batch, and unknown last dimension (error after naming)",
    dense([None, None, 3], 4),
    dense([2, None, 5, 3], 2, activation="tanh", use_bias=False),
    dense([None, 3], 1, use_bias=False),
    dense([2, None], 2),
    dense([2, 3], 2),
    coll("global"))

# ---- layers under the FORMAT-tf1-api.md scope properties -------------------------
scenario("api_record_getter_sees_layer_requests",
    "a record getter on the enclosing scope sees every get_variable request of dense, layer_norm and batch_normalization, with the arguments the layers pass (trainable false for the moving statistics)",
    vs("g",
       dense([2, 3], 2),
       ln([2, 2]),
       L("batch_normalization", [2, 2]),
       dense([2, 3], 2, name="dense", reuse=True),
       custom_getter={"record": "g", "args": ["reuse", "trainable", "dtype", "shape"]}),
    {"getter_log": True})

scenario("api_scope_regularizer_on_layers",
    "a scope regularizer applies to every variable a layer creates (biases, betas, moving statistics too), loss names per store name; shared variables add no loss",
    vs("r",
       dense([2, 3], 2),
       ln([2, 2]),
       L("batch_normalization", [2, 2]),
       regularizer={"l2": 0.1}),
    vs("r", dense([2, 3], 2), reuse=True),
    {"collection": "regularization_losses"},
    {"regularization_loss": True},
    {"op": "l2_regularizer"})

scenario("api_rename_getter_on_layers",
    "a renaming getter on the scope: dense gets variables kernel_r, bias_r; a reuse=True call through the same getter shares them, one without the getter does not find them",
    vs("s", dense([2, 3], 2), dense([2, 3], 2, name="dense", reuse=True), ln([2, 2], scope="ln"), custom_getter={"rename": "_r"}),
    vs("s", dense([2, 3], 2, name="dense", reuse=True)),
    coll("global"))

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "conformance-own", "layers")
    os.makedirs(out, exist_ok=True)
    names = set()
    for s in S:
        assert s["name"] not in names, s["name"]; names.add(s["name"])
        path = os.path.join(out, s["name"] + ".json")
        with open(path, "w") as f:
            json.dump(s, f, indent=2, ensure_ascii=False); f.write("\n")
    print(len(S), "scenarios written to", out)
