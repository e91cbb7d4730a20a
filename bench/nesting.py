"""Generated sources that once made analysis exponential: nested models and recursive builders.

Shared by `bench/bench_nesting.py` (timings) and the tests (each must finish, with the
expected finding), so the benchmark measures exactly what the tests check.
"""

from __future__ import annotations

from collections.abc import Callable

HEADER = "from keras import Sequential, Input\nfrom keras.layers import Conv2D, Dense, Flatten\n"


def reused_nesting(depth: int) -> str:
    """Model k holds model k-1 twice: 2**depth calls of the innermost model if re-inferred."""
    return _nesting(depth, lambda i: f"m{i - 1}, m{i - 1}")


def chained_nesting(depth: int) -> str:
    """Each Sequential wraps the previous one: `depth` levels, one call each."""
    return _nesting(depth, lambda i: f"m{i - 1}")


def _nesting(depth: int, members: Callable[[int], str]) -> str:
    lines = [HEADER, "m0 = Sequential([Conv2D(8, 3, padding='same')])"]
    lines += [f"m{i} = Sequential([{members(i)}])" for i in range(1, depth + 1)]
    lines.append(
        "top = Sequential([Input((16, 16, 3)), Conv2D(8, 3, padding='same'), "
        f"m{depth}, Flatten(), Dense(10)])"
    )
    return "\n".join(lines) + "\n"


def recursive_builders(count: int, calls_per_level: int = 2) -> str:
    """`count` builders that each call themselves `calls_per_level` times (issue 12's LSTM)."""
    lines = [HEADER]
    for b in range(count):
        lines.append(f"def Block{b}(shape):")
        lines.append("    model = Sequential()")
        lines.append(f"    model.add(Conv2D(8, 3, input_shape=(32, 32, {b + 1})))")
        lines += [f"    model.add(Block{b}(shape))" for _ in range(calls_per_level)]
        lines += ["    model.add(Flatten())", "    model.add(Dense(1))", "    return model"]
        lines.append(f"m{b} = Block{b}((32, 32, 3))")
    return "\n".join(lines) + "\n"
