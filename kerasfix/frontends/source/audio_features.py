"""librosa's feature matrices: a known number of rows, a run-time number of frames.

Speech and music classifiers reduce a clip to `librosa.feature.mfcc(y=x, sr=sr, n_mfcc=40)`,
`(n_mfcc, frames)`, and usually average over the frames, `np.mean(mfcc.T, axis=0)`: 40
numbers per clip whatever its length. The rows are the call's (its defaults when not given:
20 MFCCs, 128 mel bands, 12 chroma bins); the frames depend on the clip and stay unknown,
unless the file fixes the clip's length (`librosa.util.fix_length(y, size=16000)`) or the
matrix's (`np.pad(m, ((0, 0), (0, 174 - m.shape[1])))`, `m[:, :168]`: code that stacks such
matrices with `np.array` runs only when every one has that many frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import ArrayValue, Unknown

# Feature function -> (its keyword for the number of rows, the default).
_ROWS: dict[str, tuple[str | None, int]] = {
    "mfcc": ("n_mfcc", 20),
    "melspectrogram": ("n_mels", 128),
    "chroma_stft": ("n_chroma", 12),
    "chroma_cqt": ("n_chroma", 12),
    "chroma_cens": ("n_chroma", 12),
    "tonnetz": (None, 6),
    "zero_crossing_rate": (None, 1),
    "rms": (None, 1),
    "spectral_centroid": (None, 1),
    "spectral_bandwidth": (None, 1),
    "spectral_rolloff": (None, 1),
    "spectral_flatness": (None, 1),
}
# librosa functions that work value by value: the matrix keeps its shape.
_ELEMENTWISE = frozenset({"power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude"})


@dataclass(frozen=True, eq=False)
class FeatureFrames(Unknown):
    """A `(rows, frames)` feature matrix: unknown as a whole, its rows known."""

    rows: int = 0
    source: str = ""

    def transposed(self) -> DataValue:
        """`.T`: one row of `rows` numbers per frame."""
        return DataValue((self.rows,), self.source)

    @property
    def shape(self) -> tuple[int, Unknown]:
        return (self.rows, FrameCount(f"{self.source}: its frames depend on the clip"))


@dataclass(frozen=True, eq=False)
class FrameImage(Unknown):
    """`np.expand_dims(spectrogram, axis=-1)`: a `(rows, frames, 1)` one-channel image of a
    feature matrix, its frames unknown; resized to a literal size it is known."""

    rows: int = 0
    source: str = ""


def frame_image(matrix: FeatureFrames, axis: Any) -> FrameImage | None:
    """A feature matrix given a last axis of one channel, else None."""
    if axis not in (-1, 2) or isinstance(axis, bool):
        return None
    return FrameImage(f"{matrix.source} as a one-channel image", matrix.rows, matrix.source)


@dataclass(frozen=True, eq=False)
class FrameCount(Unknown):
    """`mfcc.shape[1]`: how many frames a clip gives, known only at run time."""


@dataclass(frozen=True, eq=False)
class FramesShort(Unknown):
    """`max_pad_len - mfcc.shape[1]`: the padding that brings a matrix to `target` frames."""

    target: int = 0


def frames_short(left: Any, right: Any) -> FramesShort | None:
    """`174 - mfcc.shape[1]`, else None."""
    if _positive(left) and isinstance(right, FrameCount):
        return FramesShort(f"the frames short of {left}", target=left)
    return None


def padded_frames(matrix: FeatureFrames, widths: Any) -> ArrayValue | None:
    """`np.pad(m, ((0, 0), (0, 174 - m.shape[1])))`: `rows x 174`."""
    if isinstance(widths, list):
        widths = tuple(widths)
    if not isinstance(widths, tuple) or len(widths) != 2 or widths[0] != (0, 0):
        return None
    frames = widths[1]
    if not isinstance(frames, tuple) or len(frames) != 2:
        return None
    short = [w for w in frames if isinstance(w, FramesShort)]
    if len(short) != 1 or not all(w == 0 for w in frames if w is not short[0]):
        return None
    return ArrayValue((matrix.rows, short[0].target))


def trimmed_frames(matrix: FeatureFrames, index: Any) -> ArrayValue | None:
    """`m[:, :168]`: the first 168 frames (stacked with `np.array`, every matrix has them)."""
    if not isinstance(index, tuple) or len(index) != 2 or index[0] != slice(None):
        return None
    cut = index[1]
    if isinstance(cut, slice) and cut.start in (None, 0) and cut.step is None:
        return ArrayValue((matrix.rows, cut.stop)) if _positive(cut.stop) else None
    return None


def feature_frames(
    qualname: str, args: list[Any], kwargs: dict[str, Any], line: int
) -> FeatureFrames | ArrayValue | None:
    """The matrix a `librosa.feature` call returns, when its rows are known: whole when the
    clip's length is (`librosa.util.fix_length(y, size=16000)`), else its rows only."""
    parts = qualname.split(".")
    if parts[-1] in _ELEMENTWISE and parts[0] == "librosa" and args:
        return args[0] if isinstance(args[0], FeatureFrames | ArrayValue) else None
    if parts[:2] == ["librosa", "util"] and parts[-1] == "fix_length":
        size = args[1] if len(args) > 1 else kwargs.get("size")
        return ArrayValue((size,)) if _positive(size) else None
    if parts[:2] != ["librosa", "feature"] or parts[-1] not in _ROWS:
        return None
    keyword, default = _ROWS[parts[-1]]
    rows = kwargs.get(keyword, default) if keyword else default
    if not _positive(rows):
        return None
    signal = args[0] if args else kwargs.get("y")
    frames = _frames(signal, kwargs)
    if frames is not None:
        return ArrayValue((rows, frames))
    setting = f"{keyword}={rows}" if keyword else ""
    source = f"librosa.feature.{parts[-1]}({setting}) (line {line})"
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
