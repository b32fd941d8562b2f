"""Write the step programs of the slim / arg_scope scenarios
(tests/conformance-own/slim/, format in its FORMAT-slim.md).

    python3 tools/tf-differential/slim_scenarios.py OUT_DIR
    TFPY tools/tf-differential/slim_run_tf.py OUT_DIR/own_slim_*.json   # TF fills `expect`

No TensorFlow is needed here.
"""
import json, os, sys

def vs(name, *body, **kw):
    s = {"variable_scope": name}; s.update(kw); s["body"] = list(body); return s
def ns(name, *body, **kw):
    s = {"name_scope": name}; s.update(kw); s["body"] = list(body); return s
def S(kind, inp, **kw):
    s = {"slim": kind, "input": inp}; s.update(kw); return s
def conv(inp, n, k, **kw): return S("conv2d", inp, num_outputs=n, kernel_size=k, **kw)
def fc(inp, n, **kw): return S("fully_connected", inp, num_outputs=n, **kw)
def bn(inp, **kw): return S("batch_norm", inp, **kw)
def sep(inp, n, k, **kw): return S("separable_conv2d", inp, num_outputs=n, kernel_size=k, **kw)
def pool(kind, inp, k, **kw): return S(kind, inp, kernel_size=k, **kw)
def block(inp, n, **kw): return S("user_block", inp, num_outputs=n, **kw)
def AS(funcs, args, *body, **kw):
    s = {"arg_scope": funcs, "args": args}; s.update(kw); s["body"] = list(body); return s
def ASref(label, *body): return {"arg_scope": {"ref": label}, "body": list(body)}
def coll(c, scope=None):
    s = {"collection": c}
    if scope is not None: s["scope"] = scope
    return s
def gv(name, shape=None, **kw):
    s = {"get_variable": name}
    if shape is not None: s["shape"] = shape
    s.update(kw); return s
def ref(l): return {"ref": l}
def named(c): return {"named_outputs": c}
def L(kind, inp, **kw):
    s = {"layer": kind, "input": inp}; s.update(kw); return s

IMG = [2, 8, 8, 3]
OUT = []
def scenario(name, description, *steps):
    OUT.append({"name": "own_slim_" + name, "description": description, "steps": list(steps), "expect": []})

# ---- default and explicit scopes -------------------------------------------------
scenario("default_scopes_conv_fc",
    "unnamed slim.conv2d calls are Conv, Conv_1, Conv_2 (weights then biases); fully_connected, fully_connected_1; all are model variables",
    conv(IMG, 4, 3), conv(IMG, 4, 3), conv(IMG, 2, [1, 1]), fc([2, 5], 3), fc([2, 5], 3),
    coll("model_variables"), coll("trainable"))
scenario("default_scopes_inside_variable_scopes",
    "default names count per enclosing variable scope: net/Conv, net/Conv_1, other/Conv; re-entering net by name restarts at net/Conv (AlreadyExists)",
    vs("net", conv(IMG, 4, 3), conv(IMG, 4, 3)), vs("other", conv(IMG, 4, 3)), vs("net", conv(IMG, 4, 3)))
scenario("explicit_scopes",
    "scope='conv1' names the layer; the same scope again is AlreadyExists; another name is fine; name_scope does not prefix",
    conv(IMG, 4, 3, scope="conv1"), conv(IMG, 4, 3, scope="conv1"), conv(IMG, 4, 3, scope="conv2"),
    ns("ns", conv(IMG, 4, 3, scope="conv3"), fc([2, 3], 2, scope="logits")), coll("global"))
scenario("explicit_and_default_scopes_mixed",
    "scope='Conv' takes the default name, so the next unnamed conv is Conv_1; scope='Conv_2' makes the next unnamed one Conv_3",
    conv(IMG, 4, 3, scope="Conv"), conv(IMG, 4, 3), conv(IMG, 4, 3, scope="Conv_2"), conv(IMG, 4, 3))
scenario("scope_object_reentered",
    "scope=<captured variable scope> re-enters it: variables directly in it; with reuse=True they are shared",
    vs("blk", capture="B"), conv(IMG, 4, 3, scope=ref("B")), conv(IMG, 4, 3, scope=ref("B"), reuse=True),
    vs("outer", conv(IMG, 4, 3, scope=ref("B"), reuse=True)))

# ---- reuse --------------------------------------------------------------------------
scenario("reuse_true_shares_conv_and_batch_norm",
    "conv2d(scope='c', normalizer_fn=batch_norm) then again with reuse=True shares weights and every BatchNorm variable",
    conv(IMG, 4, 3, scope="c", normalizer_fn="batch_norm"), conv(IMG, 4, 3, scope="c", normalizer_fn="batch_norm", reuse=True),
    coll("global"), coll("update_ops"))
scenario("reuse_true_without_scope_fails",
    "reuse=True with no scope is rejected by variable_scope (InvalidArgument) and creates nothing",
    conv(IMG, 4, 3, reuse=True), fc([2, 3], 2, reuse=True), bn(IMG, reuse=True), conv(IMG, 4, 3), coll("global"))
scenario("reuse_auto_and_scope_reuse",
    "reuse='auto' creates then shares; inside variable_scope(reuse=True) an unnamed conv shares Conv; Conv_1 there is NotFound",
    conv(IMG, 4, 3, scope="a", reuse="auto"), conv(IMG, 4, 3, scope="a", reuse="auto"), conv(IMG, 4, 3),
    vs("", conv(IMG, 4, 3), conv(IMG, 4, 3), reuse=True))
scenario("reuse_shape_mismatch",
    "reusing a conv with another input depth or output count is ShapeMismatch",
    conv(IMG, 4, 3, scope="c"), conv([2, 8, 8, 5], 4, 3, scope="c", reuse=True), conv(IMG, 6, 3, scope="c", reuse=True),
    fc([2, 3], 2, scope="f"), fc([2, 4], 2, scope="f", reuse=True))
scenario("auto_reuse_towers",
    "slim layers in variable_scope('model', reuse=auto) under name_scope tower_0/1 share by default names",
    ns("tower_0", vs("model", conv(IMG, 4, 3), fc([2, 4], 2), reuse="auto")),
    ns("tower_1", vs("model", conv(IMG, 4, 3), fc([2, 4], 2), reuse="auto")), coll("global"))

# ---- normalizer_fn -------------------------------------------------------------------
scenario("normalizer_batch_norm_naming",
    "normalizer_fn=batch_norm: no biases; Conv/BatchNorm/{beta, moving_mean, moving_variance} (slim's scale=False); scale=True adds gamma before beta (rank 4)",
    conv(IMG, 4, 3, normalizer_fn="batch_norm"), conv(IMG, 4, 3, normalizer_fn="batch_norm", normalizer_params={"scale": True}),
    coll("model_variables"), coll("trainable"), coll("update_ops"))
scenario("normalizer_fc_rank2_fused_path",
    "fully_connected with batch_norm: rank 2 takes slim's own fused path, beta before gamma",
    fc([4, 5], 3, normalizer_fn="batch_norm", normalizer_params={"scale": True}),
    fc([4, 5], 3, normalizer_fn="batch_norm", normalizer_params={"is_training": False}), coll("update_ops"), coll("model_variables"))
scenario("normalizer_params_vs_batch_norm_arg_scope",
    "arg_scope([batch_norm], scale=True, is_training=False) also applies to a conv's normalizer; normalizer_params override it",
    AS(["batch_norm"], {"scale": True, "is_training": False},
       conv(IMG, 4, 3, normalizer_fn="batch_norm"),
       conv(IMG, 4, 3, normalizer_fn="batch_norm", normalizer_params={"scale": False, "is_training": True})),
    coll("update_ops"))
scenario("normalizer_layer_norm",
    "normalizer_fn=layer_norm: Conv/LayerNorm/beta, gamma and no biases",
    conv(IMG, 4, 3, normalizer_fn="layer_norm"), fc([2, 3], 2, normalizer_fn="layer_norm"), coll("model_variables"))
scenario("normalizer_explicit_batch_norm_scope",
    "normalizer_params={'scope': 'bn'} names the normalizer scope Conv/bn",
    conv(IMG, 4, 3, normalizer_fn="batch_norm", normalizer_params={"scope": "bn"}), coll("global"))
scenario("biases_initializer_none",
    "biases_initializer=None: no biases for conv2d, fully_connected and separable_conv2d",
    conv(IMG, 4, 3, biases_initializer=None), fc([2, 3], 2, biases_initializer=None),
    sep(IMG, 4, 3, biases_initializer=None), sep(IMG, None, 3, biases_initializer=None))

# ---- batch_norm ----------------------------------------------------------------------
scenario("batch_norm_defaults",
    "slim.batch_norm alone: BatchNorm, BatchNorm_1; is_training defaults to true (update ops); moving statistics are not trainable",
    bn(IMG), bn(IMG, is_training=False), bn([2, 6], is_training=True), coll("update_ops"), coll("trainable"), coll("model_variables"))
scenario("batch_norm_center_scale",
    "center=False drops beta, scale=True adds gamma, on rank 4 and rank 2",
    bn(IMG, center=False, scale=True), bn([2, 3], center=False, scale=True), bn(IMG, center=False), bn([2, 3], scale=True, center=True))
scenario("batch_norm_trainable_false",
    "trainable=False: no trainable variables; training still adds update ops",
    bn(IMG, trainable=False, scale=True), bn([2, 3], trainable=False), coll("trainable"), coll("update_ops"))
scenario("batch_norm_param_initializers",
    "param_initializers set the initial values (read back through get_variable with reuse)",
    bn(IMG, scale=True, scope="bn", param_initializers={"beta": {"constant": 0.5}, "gamma": {"constant": 2}, "moving_variance": {"constant": 3}}),
    vs("bn", gv("beta", [3]), gv("gamma", [3]), gv("moving_mean", [3]), gv("moving_variance", [3]), reuse=True))
scenario("batch_norm_rank3_and_errors",
    "rank 3 runs the tf.layers path (gamma, beta order with scale); an unknown channel dimension fails after the scope is chosen",
    bn([2, 5, 3], scale=True), bn([2, 4, 4, None]), bn(IMG), coll("global"))
scenario("batch_norm_scope_and_reuse",
    "batch_norm(scope='bn') twice: AlreadyExists, then reuse=True shares; inside variable_scope('x') default BatchNorm",
    bn(IMG, scope="bn"), bn(IMG, scope="bn"), bn(IMG, scope="bn", reuse=True), vs("x", bn(IMG), bn([2, 3])), coll("update_ops"))

# ---- shapes ----------------------------------------------------------------------
scenario("conv_shapes_stride_rate_padding",
    "conv2d shapes: SAME default (odd sizes, stride 2/3), VALID, non-square kernels and strides, atrous rate 2, unknown batch",
    conv([None, 9, 7, 3], 4, 3, stride=2), conv([2, 9, 7, 3], 4, 3, stride=3, padding="VALID"),
    conv([2, 9, 7, 3], 4, [3, 1], stride=[2, 1]), conv([2, 9, 9, 3], 4, 3, rate=2), conv([2, 9, 9, 3], 4, 3, rate=2, padding="VALID"),
    conv([2, 5, 5, 3], 4, 7, padding="VALID"))
scenario("conv_rank_and_channel_errors",
    "conv2d on rank 3 fails after choosing Conv; an unknown channel dimension fails; the next unnamed conv continues the count",
    conv([2, 8, 3], 4, 3), conv([2, 8, 8, None], 4, 3), conv(IMG, 4, 3), coll("global"))
scenario("conv_nchw_shapes",
    "data_format='NCHW': weights [kh, kw, in, out] with channels on axis 1",
    conv([2, 3, 8, 8], 4, 3, data_format="NCHW", stride=2), coll("global"))
scenario("fully_connected_shapes",
    "fully_connected on rank 3 and 4 inputs acts on the last axis; an unknown last dimension fails",
    fc([2, 5, 3], 4), fc([None, 2, 5, 3], 4), fc([2, None], 4), fc([2, 3], 4))
scenario("separable_conv2d_variants",
    "separable_conv2d: depthwise_weights, pointwise_weights, biases; num_outputs=None is depthwise only (biases of in*multiplier); stride 2; rate 2; with normalizer",
    sep(IMG, 5, 3), sep(IMG, None, 3, depth_multiplier=2), sep([2, 9, 9, 3], 4, [3, 3], stride=2),
    sep([2, 9, 9, 3], None, 3, rate=2), sep(IMG, 4, 3, normalizer_fn="batch_norm"), sep(IMG, None, 3, normalizer_fn="batch_norm"),
    coll("model_variables"))
scenario("pools_names_and_shapes",
    "max_pool2d / avg_pool2d: name scopes MaxPool2D, MaxPool2D_1, AvgPool2D; stride 2 and VALID by default; SAME; no variables",
    pool("max_pool2d", [2, 9, 9, 3], 3), pool("max_pool2d", [2, 9, 9, 3], 3, padding="SAME"),
    pool("avg_pool2d", [2, 9, 9, 3], [3, 3], stride=1), pool("avg_pool2d", [2, 9, 9, 3], 2, stride=[1, 2], padding="SAME"),
    pool("max_pool2d", [2, 9, 9, 3], 1, stride=2, scope="sub"), {"op": "MaxPool2D"}, {"op": "sub"})
scenario("pools_do_not_count_variable_scopes",
    "a pool's name scope does not take a variable-scope default name: MaxPool2D then a conv scope='MaxPool2D' creates MaxPool2D/weights",
    pool("max_pool2d", IMG, 2), conv(IMG, 2, 1, scope="MaxPool2D"), pool("max_pool2d", IMG, 2), {"op": "MaxPool2D"})
scenario("flatten_and_dropout_names",
    "flatten: name scope Flatten around tf.layers flatten (which counts flatten, flatten_1); dropout: Dropout, Dropout_1; shapes",
    S("flatten", IMG), S("flatten", [None, 2, 3]), L("flatten", IMG), S("dropout", IMG), S("dropout", IMG, keep_prob=0.8, is_training=False),
    S("dropout", IMG, scope="drop"), {"op": "Flatten"}, {"op": "Dropout"})

# ---- arg_scope ------------------------------------------------------------------
scenario("arg_scope_padding_and_shapes",
    "arg_scope([conv2d], padding='VALID') changes the output shapes; outside it SAME again",
    AS(["conv2d"], {"padding": "VALID"}, conv(IMG, 4, 3), conv(IMG, 4, 5)), conv(IMG, 4, 3))
scenario("arg_scope_several_functions",
    "arg_scope([conv2d, max_pool2d], padding='SAME', stride=2) applies to both",
    AS(["conv2d", "max_pool2d"], {"padding": "SAME", "stride": 2}, conv([2, 9, 9, 3], 4, 3), pool("max_pool2d", [2, 9, 9, 3], 3)))
scenario("arg_scope_nesting_overrides_per_argument",
    "an inner arg_scope overrides only its arguments for its functions; outer arguments stay; leaving restores",
    AS(["conv2d", "fully_connected"], {"trainable": False, "biases_initializer": None},
       AS(["conv2d"], {"trainable": True},
          conv(IMG, 4, 3), fc([2, 3], 2)),
       conv(IMG, 4, 3), fc([2, 3], 2)),
    conv(IMG, 4, 3), coll("trainable"))
scenario("arg_scope_explicit_args_win",
    "explicit call arguments win over arg_scope defaults",
    AS(["conv2d"], {"padding": "VALID", "stride": 2, "scope": "from_scope"},
       conv(IMG, 4, 3, padding="SAME", stride=1, scope="mine"), conv(IMG, 4, 3), conv(IMG, 4, 3, scope="other")))
scenario("arg_scope_captured_reentered",
    "a captured arg_scope re-entered later replaces the current one (its defaults only)",
    AS(["conv2d"], {"padding": "VALID"}, capture="A"),
    AS(["conv2d", "max_pool2d"], {"stride": 2},
       ASref("A", conv(IMG, 4, 3), pool("max_pool2d", IMG, 2, stride=1)),
       conv(IMG, 4, 3)))
scenario("arg_scope_normalizer_resnet_style",
    "resnet_arg_scope's shape: conv2d gets normalizer_fn=batch_norm with normalizer_params, batch_norm and max_pool2d get their own defaults",
    AS(["conv2d"], {"normalizer_fn": "batch_norm", "normalizer_params": {"decay": 0.997, "epsilon": 1e-5, "scale": True}, "weights_initializer": {"variance_scaling": {}}},
       AS(["batch_norm"], {"decay": 0.997, "epsilon": 1e-5, "scale": True},
          AS(["max_pool2d"], {"padding": "SAME"}, capture="R"))),
    ASref("R", vs("resnet", conv(IMG, 8, 7, stride=2, scope="conv1"), pool("max_pool2d", [2, 4, 4, 8], 3, scope="pool1"),
                 conv([2, 2, 2, 8], 4, 1, scope="logits", normalizer_fn=None, activation_fn=None))),
    coll("global"), coll("update_ops"))
scenario("arg_scope_is_training_false",
    "arg_scope([batch_norm], is_training=False): no update ops from convs' normalizers or batch_norm",
    AS(["batch_norm"], {"is_training": False}, conv(IMG, 4, 3, normalizer_fn="batch_norm"), bn(IMG), bn([2, 3])), coll("update_ops"))
scenario("arg_scope_initializers_visible",
    "weights_initializer / biases_initializer from an arg_scope give the variables' initial values",
    AS(["conv2d", "fully_connected"], {"weights_initializer": {"zeros": {}}, "biases_initializer": {"constant": 0.25}},
       conv(IMG, 2, 1, scope="c"), fc([2, 3], 2, scope="f")),
    vs("c", gv("weights", [1, 1, 3, 2]), gv("biases", [2]), reuse=True), vs("f", gv("weights", [3, 2]), gv("biases", [2]), reuse=True))
scenario("arg_scope_unknown_argument",
    "an argument the layer does not take fails at the call (TypeError), not when the arg_scope opens; nothing is created",
    AS(["conv2d", "max_pool2d"], {"rate": 2}, conv(IMG, 4, 3), pool("max_pool2d", IMG, 2)), coll("global"))
scenario("arg_scope_reuse_default",
    "arg_scope([conv2d], reuse=True) with explicit scopes shares existing convs",
    conv(IMG, 4, 3, scope="c1"), conv(IMG, 4, 3, scope="c2"),
    AS(["conv2d"], {"reuse": True}, conv(IMG, 4, 3, scope="c1"), conv(IMG, 4, 3, scope="c2"), conv(IMG, 4, 3, scope="c3")))
scenario("arg_scope_layer_norm_and_dropout",
    "arg_scope for layer_norm (center=False) and dropout (is_training=False)",
    AS(["layer_norm"], {"center": False}, S("layer_norm", [2, 4]), S("layer_norm", [2, 4], center=True)),
    AS(["dropout"], {"keep_prob": 0.9}, S("dropout", [2, 4])))
scenario("arg_scope_trainable_false_batch_norm",
    "arg_scope([conv2d, batch_norm], trainable=False) freezes weights and BatchNorm parameters",
    AS(["conv2d", "batch_norm"], {"trainable": False}, conv(IMG, 4, 3, normalizer_fn="batch_norm", normalizer_params={"scale": True})),
    coll("trainable"), coll("model_variables"))

# ---- add_arg_scope -----------------------------------------------------------------
scenario("add_arg_scope_user_function",
    "a user function under @add_arg_scope takes arg_scope defaults (stride), and its inner slim.conv2d calls see conv2d's own arg_scope (padding) but not arguments the function passes explicitly (activation_fn)",
    AS(["user_block"], {"stride": 2},
       AS(["conv2d"], {"padding": "VALID", "activation_fn": None},
          block(IMG, 4), block(IMG, 4, stride=1, scope="mine"))),
    block(IMG, 4), coll("global"))
scenario("add_arg_scope_user_function_unknown_arg",
    "an arg_scope default the user function does not take fails at its call",
    AS(["user_block", "conv2d"], {"padding": "VALID"}, conv(IMG, 2, 3), block(IMG, 2)), coll("global"))

# ---- outputs_collections ---------------------------------------------------------
scenario("outputs_collections_end_points",
    "outputs_collections adds each layer's output under its scope name (pools: the name scope without '/'); convert_collection_to_dict keeps one entry per alias",
    vs("net", conv(IMG, 4, 3, scope="conv1", outputs_collections="ep"), pool("max_pool2d", IMG, 2, scope="pool1", outputs_collections="ep"),
       fc([2, 3], 2, outputs_collections="ep"), bn(IMG, outputs_collections="ep"), S("flatten", IMG, outputs_collections="ep"),
       S("dropout", IMG, outputs_collections="ep"), sep(IMG, None, 3, outputs_collections="ep")),
    named("ep"), named("other"))
scenario("outputs_collections_via_arg_scope",
    "arg_scope([conv2d, max_pool2d], outputs_collections='ep') collects every listed layer",
    AS(["conv2d", "max_pool2d"], {"outputs_collections": "ep"},
       vs("r", conv(IMG, 4, 3), conv(IMG, 4, 3, scope="c"), pool("max_pool2d", IMG, 2), pool("max_pool2d", IMG, 2))),
    named("ep"))

# ---- ResNet naming ---------------------------------------------------------------
scenario("resnet_unit_naming",
    "a ResNet-v1 bottleneck unit's names: shortcut, conv1, conv2, conv3 with BatchNorm under block1/unit_1/bottleneck_v1; subsampling shortcut max_pool2d scope 'shortcut'",
    AS(["conv2d"], {"normalizer_fn": "batch_norm", "normalizer_params": {"scale": True, "is_training": False}},
       vs("resnet_tiny", vs("block1", vs("unit_1", vs("bottleneck_v1",
           conv([2, 8, 8, 8], 16, 1, scope="shortcut", activation_fn=None),
           conv([2, 8, 8, 8], 4, 1, scope="conv1"), conv([2, 8, 8, 4], 4, 3, stride=2, padding="VALID", scope="conv2"),
           conv([2, 4, 4, 4], 16, 1, scope="conv3", activation_fn=None))),
           vs("unit_2", vs("bottleneck_v1", pool("max_pool2d", [2, 4, 4, 16], 1, stride=2, scope="shortcut"),
              conv([2, 4, 4, 16], 4, 1, scope="conv1")))))),
    coll("global"))
scenario("slim_and_tf_layers_collections",
    "tf.layers variables are not model variables, slim's are; trainable and global hold both",
    L("dense", [2, 3], units=2), fc([2, 3], 2), L("batch_normalization", IMG), bn(IMG), L("conv2d", IMG, filters=2, kernel_size=1), conv(IMG, 2, 1),
    coll("model_variables"), coll("trainable"), coll("global"))

# ---- regularizers -----------------------------------------------------------------
L2 = {"l2": 0.1}
scenario("regularizers_loss_names",
    "weights_regularizer / biases_regularizer: the losses are named by the wrapped tf.layers weight (Conv/kernel/Regularizer/l2_regularizer), except the depthwise-only path (model_variable: SeparableConv2d/depthwise_weights/Regularizer/...); a normalizer drops the biases and their loss",
    conv(IMG, 4, 3, weights_regularizer=L2, biases_regularizer={"l1": 0.2}), conv(IMG, 4, 3, weights_regularizer=L2, normalizer_fn="batch_norm"),
    fc([2, 5], 3, weights_regularizer=L2, biases_regularizer={"l1_l2": [0.1, 0.2]}), sep(IMG, None, 3, weights_regularizer=L2, biases_regularizer=L2),
    sep(IMG, 4, 3, weights_regularizer=L2), coll("regularization_losses"), {"regularization_loss": True},
    {"op": "l2_regularizer"}, ns("Conv", {"op": "kernel"}))
scenario("regularizers_shared_and_nested",
    "a reused layer adds no loss; inside variable_scope('net') the loss is under the layer's name scope (net/conv1/kernel/Regularizer/...), also when the scope is entered a second time (net_1/...)",
    vs("net", conv(IMG, 4, 3, scope="conv1", weights_regularizer=L2)),
    vs("net", conv(IMG, 4, 3, scope="conv1", weights_regularizer=L2, reuse=True), conv(IMG, 4, 3, scope="conv2", weights_regularizer=L2)),
    coll("regularization_losses"), {"regularization_loss": True, "scope": "net"})
scenario("regularizers_from_arg_scope_resnet_style",
    "resnet_arg_scope's weights_regularizer on every conv (logits too), none on BatchNorm; l2 of 0.0001",
    AS(["conv2d"], {"weights_regularizer": {"l2": 0.0001}, "normalizer_fn": "batch_norm", "normalizer_params": {"scale": True, "is_training": False}},
       vs("resnet", conv(IMG, 8, 3, scope="conv1"), conv([2, 8, 8, 8], 4, 1, scope="logits", normalizer_fn=None, activation_fn=None))),
    coll("regularization_losses"), {"regularization_loss": True})
scenario("regularizers_zero_scale_and_none",
    "an l2 scale of 0 adds no loss (TF returns no regularizer); weights_regularizer=None in an explicit call overrides the arg_scope's",
    conv(IMG, 4, 3, weights_regularizer={"l2": 0.0}),
    AS(["conv2d"], {"weights_regularizer": L2}, conv(IMG, 4, 3, weights_regularizer=None), conv(IMG, 4, 3)),
    coll("regularization_losses"))

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for s in OUT:
        with open(os.path.join(out, s["name"] + ".json"), "w") as f:
            json.dump(s, f, indent=2, ensure_ascii=False); f.write("\n")
    print(len(OUT), "scenarios written to", out)
