"""Models for the rewrite acceptance matrix, built with real Keras.

Each image trunk is made of 1x1 convolutions and elementwise ops, so a spatially constant
input gives a spatially constant feature map, where the fold must be exact. Layers that
keep variables in sub-objects sit on a second input, feeding a second output: they are
untouched by the rewrite, so that output must not move at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IMAGE = (5, 4, 3)
SEQUENCE = (6, 4)


def _trunk(keras: Any, inp: Any) -> Any:
    return keras.layers.Conv2D(6, 1, activation="relu", name="conv")(inp)


def sub_object_model(keras: Any) -> Any:
    """Every stock layer that stores variables below itself (an RNN's cell, Bidirectional's
    forward/backward layers, TimeDistributed's layer, MultiHeadAttention's projections),
    each on its own input feeding its own output, beside a Flatten head to rewrite."""
    layers = keras.layers
    sides: list[tuple[tuple[int, ...], Callable[[Any], Any]]] = [
        (SEQUENCE, layers.LSTM(5, name="lstm")),
        (SEQUENCE, layers.GRU(5, name="gru")),
        (SEQUENCE, layers.SimpleRNN(5, name="rnn")),
        (SEQUENCE, layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], name="stacked")),
        (SEQUENCE, layers.Bidirectional(layers.LSTM(4), name="bi")),
        (SEQUENCE, layers.TimeDistributed(layers.Dense(3), name="td")),
        (SEQUENCE, lambda t: layers.MultiHeadAttention(2, 3, name="mha")(t, t)),
        ((4, 5, 2), layers.ConvLSTM1D(3, 2, name="clstm1")),
    ]
    img = keras.Input(IMAGE, name="img")
    x = layers.Flatten(name="flat")(_trunk(keras, img))
    outputs = [layers.Dense(3, name="fc")(layers.Dense(7, name="hidden")(x))]
    inputs = [img]
    for i, (shape, side) in enumerate(sides):
        other = keras.Input(shape, name=f"side{i}")
        flat = layers.Reshape((-1,), name=f"side_flat{i}")(side(other))
        outputs.append(layers.Dense(2, name=f"side_out{i}")(flat))
        inputs.append(other)
    return keras.Model(inputs, outputs, name="sub_objects")


def seed_model(keras: Any) -> Any:
    """The seed's own architecture: ConvLSTM2D -> MaxPooling2D -> Flatten -> Dense -> Dense."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((3, 8, 8, 1)),
            layers.ConvLSTM2D(16, 3, padding="same"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(32),
            layers.Dense(4),
        ]
    )


def head_models(keras: Any) -> dict[str, Callable[[], Any]]:
    """The Flatten heads the issue lists, each on a constant-preserving trunk."""
    layers = keras.layers

    def build(head: Callable[[Any, Any], Any], name: str) -> Any:
        img = keras.Input(IMAGE, name="img")
        return keras.Model(img, head(_trunk(keras, img), img), name=name)

    def multi(x: Any, _: Any) -> Any:
        flat = layers.Flatten(name="flat")(x)
        return [layers.Dense(4, name="fc_a")(flat), layers.Dense(3, name="fc_b")(flat)]

    def lora(x: Any, _: Any) -> Any:
        return layers.Dense(5, lora_rank=2, name="fc")(layers.Flatten(name="flat")(x))

    def op_nodes(x: Any, _: Any) -> Any:
        y = layers.ReLU(6.0, name="hard")(x + 3.0) * (1.0 / 6.0)
        y = layers.Add(name="res_add")([y, x])
        return layers.Dense(4, name="fc")(layers.Flatten(name="flat")(y))

    def cf_flatten(x: Any, _: Any) -> Any:
        flat = layers.Flatten(data_format="channels_first", name="flat")(x)
        return layers.Dense(4, name="fc")(flat)

    def nested(x: Any, _: Any) -> Any:
        head = keras.Sequential(
            [keras.Input((5, 4, 6)), layers.Flatten(name="hflat"), layers.Dense(4, name="hfc")],
            name="head",
        )
        return head(x)

    return {
        "multi_dense": lambda: build(multi, "multi_dense"),
        "lora": lambda: build(lora, "lora"),
        "op_nodes": lambda: build(op_nodes, "op_nodes"),
        "cf_flatten_over_cl": lambda: build(cf_flatten, "cf_flatten_over_cl"),
        "nested": lambda: build(nested, "nested"),
    }


def shared_dense_model(keras: Any) -> Any:
    """`fc(flatten(x))` and `fc(v)`: the Dense must keep its 120-wide input."""
    layers = keras.layers
    img = keras.Input(IMAGE, name="img")
    vec = keras.Input((120,), name="vec")
    fc = layers.Dense(4, name="fc")
    a = fc(layers.Flatten(name="flat")(_trunk(keras, img)))
    return keras.Model([img, vec], [a, fc(vec)], name="shared")


def mobilenet_head(keras: Any) -> Any:
    """Stock MobileNetV3Small (op nodes in its hard-sigmoid) with a Flatten head."""
    base = keras.applications.MobileNetV3Small(
        input_shape=(64, 64, 3), include_top=False, weights=None, include_preprocessing=False
    )
    x = keras.layers.Flatten(name="flat")(base.output)
    return keras.Model(base.input, keras.layers.Dense(4, name="fc")(x), name="mnv3_head")
