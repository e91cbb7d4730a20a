"""`kerasfix rewrite`: swap KF001 Flatten layers for global pooling inside saved models.

The core edits the architecture JSON and streams the weights tensor by tensor with h5py,
so `fold` and `random` need neither TensorFlow nor the memory of a loaded model. Only
`calibrate`, `--verify-data` and the post-write verification load Keras, and only when
it is installed.
"""

from __future__ import annotations

from kerasfix.model_rewrite.errors import RewriteError

__all__ = ["RewriteError"]
