"""Fuzz the source frontend: mutated real fixtures, random bytes, deep nesting, hostile code."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hardening.conftest import SOURCE_FIXTURES, assert_handled, budget

TEXTS = [path.read_bytes() for path in SOURCE_FIXTURES]
TOKENS = [
    b"Flatten()",
    b"Dense(",
    b"Dense(10)",
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b",",
    b"lambda x:",
    b"*",
    b"**",
    b"yield",
    b"await ",
    b"async def f():",
    b"def f(*a, **k):",
    b"class A(keras.Model):",
    b"\t",
    b"    ",
    b"\\",
    b"'''",
    b'"',
    b"#",
    b"\x00",
    b"\xef\xbb\xbf",
    b"@",
    b"=",
    b":=",
    b"...",
    b"model.add(",
    b"model = keras.Sequential(",
    b"keras.layers.",
    b"Input(shape=(",
    b"None",
    b"-1",
    b"0",
    b"1e308",
    b"10**100",
    b"2**63",
    b"range(10**9)",
    b"for i in range(10**6):",
    b"while True:",
    b"if x:",
    b"else:",
    b"import keras",
    b"from keras.layers import *",
    b"global x",
    b"nonlocal x",
    b"return",
    b"super().__init__()",
    b"self.",
    b"x = x(x)",
    b"print x",
    b"except E, e:",
    b"# -*- coding: latin-1 -*-",
    b"# coding: nonsense",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\r",
    b"\n",
    b"\r\n",
    b"\f",
    b"\u2028",
    b"del model",
    b"model.layers[0]",
    b"input_shape=(-5, 0, 10**12)",
    b"units=-3",
    b"kernel_size=(0, 0)",
    b"strides=0",
    b"match x:",
    b"case _:",
    b"type X = int",
]

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 200), st.integers(1, 5)),
    st.tuples(st.just("duplicate"), st.integers(0, 200), st.integers(1, 5)),
    st.tuples(st.just("swap"), st.integers(0, 200), st.integers(0, 200)),
    st.tuples(st.just("insert"), st.integers(0, 2000), st.sampled_from(TOKENS)),
    st.tuples(st.just("truncate"), st.integers(0, 2000), st.just(0)),
    st.tuples(st.just("byte"), st.integers(0, 2000), st.integers(0, 255)),
    st.tuples(st.just("indent"), st.integers(0, 200), st.sampled_from([b" ", b"\t", b"    "])),
)


def mutate(text: bytes, ops: list[tuple[str, int, object]]) -> bytes:
    """Apply line and byte level mutations to a fixture's bytes."""
    for op, a, b in ops:
        lines = text.split(b"\n")
        n = max(len(lines), 1)
        if op == "delete":
            del lines[a % n : a % n + int(b)]  # type: ignore[call-overload]
        elif op == "duplicate":
            i = a % n
            lines[i:i] = lines[i : i + int(b)]  # type: ignore[call-overload]
        elif op == "swap" and lines:
            i, j = a % n, int(b) % n  # type: ignore[call-overload]
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent" and lines:
            lines[a % n] = bytes(b) + lines[a % n]  # type: ignore[arg-type]
        else:
            pos = a % (len(text) + 1)
            if op == "insert":
                text = text[:pos] + bytes(b) + text[pos:]  # type: ignore[arg-type]
            elif op == "truncate":
                text = text[:pos]
            elif op == "byte":
                text = text[:pos] + bytes([int(b)]) + text[pos + 1 :]  # type: ignore[call-overload]
            continue
        text = b"\n".join(lines)
    return text


@budget(1500)
@given(
    index=st.integers(0, len(TEXTS) - 1),
    ops=st.lists(mutation, min_size=1, max_size=8),
)
def test_mutated_fixtures(scratch: Path, index: int, ops: list[tuple[str, int, object]]) -> None:
    path = scratch / "mutated.py"
    path.write_bytes(mutate(TEXTS[index], ops))
    assert_handled(path, "source")


@budget(400)
@given(data=st.binary(max_size=2000))
def test_random_bytes(scratch: Path, data: bytes) -> None:
    path = scratch / "random.py"
    path.write_bytes(b"from keras.layers import Flatten\n" + data)  # past the prefilter
    assert_handled(path, "source")


@budget(300)
@given(
    lines=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40).map(b" ".join),
    head=st.sampled_from(TEXTS),
)
def test_token_soup(scratch: Path, lines: bytes, head: bytes) -> None:
    path = scratch / "soup.py"
    path.write_bytes(head + b"\n" + lines + b"\n")
    assert_handled(path, "source")


PRELUDE = "import keras\nfrom keras import layers\nFlatten = layers.Flatten\n"
NESTING = {
    "parens": lambda n: "x = " + "(" * n + "1" + ")" * n,
    "lists": lambda n: "x = " + "[" * n + "]" * n,
    "calls": lambda n: "x = " + "f(" * n + ")" * n,
    "binops": lambda n: "x = 1" + " + 1" * n,
    "attributes": lambda n: "x = keras" + ".a" * n,
    "defs": lambda n: "".join(" " * i + f"def f{i}():\n" for i in range(n)) + " " * n + "pass",
    "ifs": lambda n: "".join(" " * i + "if x:\n" for i in range(n)) + " " * n + "pass",
    "lambdas": lambda n: "f = " + "lambda: " * n + "layers.Flatten()",
    "sequential": lambda n: "m = " + "keras.Sequential([" * n + "layers.Flatten()" + "])" * n,
    "models_called": lambda n: (
        "x = keras.Input((8, 8, 3))\n"
        + "".join(
            f"x = keras.Sequential([layers.Flatten(), layers.Dense({i + 1})])(x)\n"
            for i in range(n)
        )
    ),
}


@pytest.mark.parametrize("shape", sorted(NESTING))
@pytest.mark.parametrize("depth", [10, 100, 1000, 20000])
def test_deep_nesting(tmp_path: Path, shape: str, depth: int) -> None:
    if shape in ("defs", "ifs") and depth > 1000:
        depth = 1000  # Python's own limit is 100 indentation levels; past it is the same
    if shape == "models_called":
        depth = min(depth, 2000)  # linear, ~0.3 ms a statement: past this it only costs time
    path = tmp_path / "deep.py"
    path.write_text(PRELUDE + NESTING[shape](depth) + "\n")
    assert_handled(path, "source")


HOSTILE_PROGRAMS = {
    "self_recursion": "def f(x):\n    return f(layers.Flatten()(x))\nf(keras.Input((4, 4, 3)))",
    "mutual_recursion": "def f(x):\n    return g(x)\ndef g(x):\n    return f(layers.Flatten()(x))\nf(1)",  # noqa: E501
    "method_recursion": "class M(keras.Model):\n    def call(self, x):\n        return self.call(x)\n"  # noqa: E501
    "    def build(self, s):\n        self.f = layers.Flatten()\nM()(keras.Input((3, 3, 1)))",
    "huge_loop": "m = keras.Sequential()\nfor i in range(10**9):\n    m.add(layers.Dense(10))\n"
    "m.add(layers.Flatten())",
    "nested_loops": "m = keras.Sequential([keras.Input((9, 9, 3))])\nfor a in range(1000):\n"
    "    for b in range(1000):\n        for c in range(1000):\n            m.add(layers.Flatten())\n"  # noqa: E501
    "            m.add(layers.Dense(a * b * c + 1))",
    "while_true": "m = keras.Sequential()\nwhile True:\n    m.add(layers.Flatten())",
    "huge_shape": "m = keras.Sequential([keras.Input((10**18, 10**18, 10**18)), layers.Flatten(),"
    " layers.Dense(10**18)])",
    "negative_shape": "m = keras.Sequential([keras.Input((-5, 0, 3)), layers.Conv2D(-1, 0, "
    "strides=0), layers.Flatten(), layers.Dense(-3)])",
    "float_shape": "m = keras.Sequential([keras.Input((1e308, float('nan'), 3.5)), layers.Flatten(),"  # noqa: E501
    " layers.Dense(1e308)])",
    "string_shape": "m = keras.Sequential([keras.Input('abc'), layers.Flatten(), layers.Dense('x')])",  # noqa: E501
    "self_reference": "x = keras.Input((4, 4, 3))\nl = layers.Flatten()\nx = l(l(l(x)))\n"
    "m = keras.Model(x, x)\nm = keras.Model(m.outputs, m.inputs)",
    "list_growth": "a = [layers.Flatten()]\nfor i in range(100):\n    a = a + a\n"
    "m = keras.Sequential(a)",
    "string_growth": "s = 'x'\nfor i in range(200):\n    s = s + s\nm = keras.Sequential([layers.Flatten()])",  # noqa: E501
    "big_power": "n = 10**10**10\nm = keras.Sequential([keras.Input((n, 2)), layers.Flatten(), layers.Dense(n)])",  # noqa: E501
    "shift": "n = 1 << 10**9\nm = keras.Sequential([keras.Input((n, 2)), layers.Flatten(), layers.Dense(2)])",  # noqa: E501
    "str_mult": "s = 'a' * 10**12\nt = [0] * 10**12\nm = keras.Sequential([layers.Flatten()])",
    "star_unpack": "m = keras.Sequential([*layers.Flatten(), **{}])",
    "getattr_chain": "m = keras.Sequential\nfor i in range(10000):\n    m = m(m)\nm.add(layers.Flatten())",  # noqa: E501
    "subclass_loop": "class A(A):\n    pass\nclass B(B, A):\n    x = layers.Flatten()",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PROGRAMS))
def test_hostile_programs_end_in_bounded_time(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(PRELUDE + HOSTILE_PROGRAMS[name] + "\n")
    assert_handled(path, "source")
