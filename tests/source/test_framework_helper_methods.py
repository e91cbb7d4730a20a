"""A Keras `Model` subclass's own helper method that builds a model and nobody calls
(`Cnn.build_train_model(self, img_size=300)` filling `self.model`, as real projects write
it): explored with its defaults like any uncalled builder; the framework's own methods
(`call`, `build`, ...) keep the subclass's handling (heldout8, FINDINGS 11a)."""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

HELPER = """
from keras import Model
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential


class Cnn(Model):
    IMG_SZ = 300

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = None

    def {name}(self, img_size=30):
        if img_size is not None:
            Cnn.IMG_SZ = img_size
        self.model = Sequential()
        self.model.add(Conv2D(4, (3, 3), input_shape=(Cnn.IMG_SZ, Cnn.IMG_SZ, 3)))
        self.model.add(MaxPooling2D(pool_size=(2, 2)))
        self.model.add(Flatten())
        self.model.add(Dense(8))
"""


def _findings(tmp_path: Path, name: str) -> list[tuple[str, object, int | None]]:
    path = tmp_path / "cnn.py"
    path.write_text(HELPER.format(name=name))
    result = lint_paths([path], Settings())
    assert not result.errors, result.errors
    return [(f.rule, f.data.shape, f.data.params_flatten) for f in result.findings]


def test_an_uncalled_helper_method_of_a_model_subclass_is_explored(tmp_path: Path) -> None:
    # Keras: Conv2D(4, 3) on 30x30x3 -> 28x28x4, pool -> 14x14x4, Dense(8): 784 * 8 + 8
    assert _findings(tmp_path, "build_train_model") == [("KF001", (14, 14, 4), 6_280)]


def test_the_frameworks_own_methods_keep_the_subclass_handling(tmp_path: Path) -> None:
    # `build(self, input_shape)` is Keras's: not run as a builder with its defaults
    assert _findings(tmp_path, "build") == []


def test_a_class_attribute_set_after_the_class_is_what_readers_see(tmp_path: Path) -> None:
    """`Cnn.IMG_SZ = 30` after `class Cnn: IMG_SZ = 300`: the layers read 30 (read as 300,
    the count was 113x too large)."""
    path = tmp_path / "size.py"
    path.write_text(
        "from keras.layers import Conv2D, Dense, Flatten\n"
        "from keras.models import Sequential\n\n\n"
        "class Cnn:\n    IMG_SZ = 300\n\n\n"
        "Cnn.IMG_SZ = 30\n"
        "model = Sequential([Conv2D(4, 3, input_shape=(Cnn.IMG_SZ, Cnn.IMG_SZ, 3)),"
        " Flatten(), Dense(8)])\n"
    )
    ((rule, shape, params),) = [
        (f.rule, f.data.shape, f.data.params_flatten)
        for f in lint_paths([path], Settings()).findings
    ]
    # Keras: Conv2D(4, 3) on 30x30x3 -> 28x28x4; Dense(8): 3,136 * 8 + 8
    assert (rule, shape, params) == ("KF001", (28, 28, 4), 25_096)
