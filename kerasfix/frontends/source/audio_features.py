"""librosa's feature matrices: a known number of rows, a run-time number of frames.

Speech and music classifiers reduce a clip to `librosa.feature.mfcc(y=x, sr=sr, n_mfcc=40)`,
`(n_mfcc, frames)`, and usually average over the frames, `np.mean(mfcc.T, axis=0)`: 40
numbers per clip whatever its length. The rows are the call's (its defaults when not given:
20 MFCCs, 128 mel bands, 12 chroma bins); the frames depend on the clip and stay unknown,
unless the file fixes the clip's length (`librosa.util.fix_length(y, size=16000)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import ArrayValue, Unknown

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


def feature_frames(
    qualname: str, args: list[Any], kwargs: dict[str, Any], line: int
) -> FeatureFrames | ArrayValue | None:
    """The matrix a `librosa.feature` call returns, when its rows are known: whole when the
    clip's length is (`librosa.util.fix_length(y, size=16000)`), else its rows only."""
    parts = qualname.split(".")
    if parts[:2] == ["librosa", "util"] and parts[-1] == "fix_length":
        size = args[1] if len(args) > 1 else kwargs.get("size")
        return ArrayValue((size,)) if _positive(size) else None
    if parts[:2] != ["librosa", "feature"] or parts[-1] not in _ROWS:
        return None
    keyword, default = _ROWS[parts[-1]]
    rows = kwargs.get(keyword, default)
    if not _positive(rows):
        return None
    signal = args[0] if args else kwargs.get("y")
    frames = _frames(signal, kwargs)
    if frames is not None:
        return ArrayValue((rows, frames))
    source = f"librosa.feature.{parts[-1]}({keyword}={rows}) (line {line})"
    return FeatureFrames(f"{source}: its frames depend on the clip", rows=rows, source=source)


def _frames(signal: Any, kwargs: dict[str, Any]) -> int | None:
    """STFT frames of a clip of known length: `1 + n // hop_length` when centred (librosa's
    default, hop 512), `1 + (n - n_fft) // hop_length` when not (n_fft 2048)."""
    if not isinstance(signal, ArrayValue) or len(signal.shape) != 1:
        return None
    samples = signal.shape[0]
    hop = kwargs.get("hop_length", 512)
    n_fft = kwargs.get("n_fft", 2048)
    center = kwargs.get("center", True)
    if not _positive(hop) or not _positive(n_fft) or not isinstance(center, bool):
        return None
    if center:
        return 1 + samples // hop
    return 1 + (samples - n_fft) // hop if samples >= n_fft else None


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
