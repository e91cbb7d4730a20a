"""librosa's feature matrices: a known number of rows, a run-time number of frames.

Speech and music classifiers reduce a clip to `librosa.feature.mfcc(y=x, sr=sr, n_mfcc=40)`,
`(n_mfcc, frames)`, and usually average over the frames, `np.mean(mfcc.T, axis=0)`: 40
numbers per clip whatever its length. The rows are the call's (its defaults when not given:
20 MFCCs, 128 mel bands, 12 chroma bins); the frames depend on the clip and stay unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import Unknown

# Feature function -> (its keyword for the number of rows, the default).
_ROWS = {"mfcc": ("n_mfcc", 20), "melspectrogram": ("n_mels", 128), "chroma_stft": ("n_chroma", 12)}


@dataclass(frozen=True, eq=False)
class FeatureFrames(Unknown):
    """A `(rows, frames)` feature matrix: unknown as a whole, its rows known."""

    rows: int = 0
    source: str = ""

    def transposed(self) -> DataValue:
        """`.T`: one row of `rows` numbers per frame."""
        return DataValue((self.rows,), self.source)


def feature_frames(qualname: str, kwargs: dict[str, Any], line: int) -> FeatureFrames | None:
    """The matrix a `librosa.feature` call returns, when its rows are known."""
    parts = qualname.split(".")
    if parts[:2] != ["librosa", "feature"] or parts[-1] not in _ROWS:
        return None
    keyword, default = _ROWS[parts[-1]]
    rows = kwargs.get(keyword, default)
    if not isinstance(rows, int) or isinstance(rows, bool) or rows <= 0:
        return None
    source = f"librosa.feature.{parts[-1]}({keyword}={rows}) (line {line})"
    return FeatureFrames(f"{source}: its frames depend on the clip", rows=rows, source=source)
