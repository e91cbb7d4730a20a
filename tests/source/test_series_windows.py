"""Windows cut from a run-time series at a loop index fix the samples' shape.

Time-series code (the NeuralNine stock tutorial, Jason Brownlee's `create_dataset` and
`split_sequence`) loops over a run-time length, but every window's length is the difference
of its bounds, which the code fixes; scikit-learn's scalers keep the data's shape. The
notebook that showed the pattern: gprzy/PETR4.SA-forecasting cell 67 (heldout10).

Numbers checked with Keras 3: 60 -> Conv1D(128, 2) 59 -> MaxPooling1D(2) 29,
29*128*100 + 100 = 371,300; 12 -> Conv1D(64, 3) 10, 10*64*50 + 50 = 32,050;
30 -> Conv1D(64, 2) 29 -> MaxPooling1D(2) 14, 14*64*50 + 50 = 44,850.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

HEAD = """
import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler
from keras.models import Sequential
from keras.layers import Conv1D, Dense, Flatten, MaxPooling1D
"""

PRICE_WINDOWS = (
    HEAD
    + """
tr = pd.read_csv("train.csv")
scaler = MinMaxScaler(feature_range=(0, 1))
scaled_data = scaler.fit_transform(tr["Close"].values.reshape(-1, 1))
prediction_days = 60
x_train, y_train = [], []
for x in range(prediction_days, len(scaled_data)):
    x_train.append(scaled_data[x - prediction_days : x, 0])
    y_train.append(scaled_data[x, 0])
x_train, y_train = np.array(x_train), np.array(y_train)
x_train = np.reshape(x_train, (x_train.shape[0], x_train.shape[1], 1))
model = Sequential()
model.add(Conv1D(filters=128, kernel_size=2, activation="relu"))
model.add(MaxPooling1D(pool_size=2))
model.add(Flatten())
model.add(Dense(100))
model.fit(x_train, y_train, epochs=80)
"""
)

LOOK_BACK = (
    HEAD
    + """
def create_dataset(dataset, look_back=1):
    data_x, data_y = [], []
    for i in range(len(dataset) - look_back - 1):
        a = dataset[i:(i + look_back), 0]
        data_x.append(a)
        data_y.append(dataset[i + look_back, 0])
    return np.array(data_x), np.array(data_y)

frame = pd.read_csv("airline-passengers.csv", usecols=[1])
dataset = MinMaxScaler().fit_transform(frame.values.astype("float32").reshape(-1, 1))
train = dataset[0 : int(len(dataset) * 0.67), :]
train_x, train_y = create_dataset(train, 12)
train_x = np.reshape(train_x, (train_x.shape[0], train_x.shape[1], 1))
model = Sequential()
model.add(Conv1D(64, 3, activation="relu", input_shape=(train_x.shape[1], 1)))
model.add(Flatten())
model.add(Dense(50))
"""
)

SPLIT_SEQUENCE = (
    HEAD
    + """
def split_sequence(sequence, n_steps):
    X, y = list(), list()
    for i in range(len(sequence)):
        end_ix = i + n_steps
        if end_ix > len(sequence) - 1:
            break
        seq_x, seq_y = sequence[i:end_ix], sequence[end_ix]
        X.append(seq_x)
        y.append(seq_y)
    return np.array(X), np.array(y)

series = pd.read_csv("sales.csv")["sales"].values.reshape(-1, 1)
X, y = split_sequence(series, 30)
model = Sequential()
model.add(Conv1D(64, 2, activation="relu", input_shape=X.shape[1:]))
model.add(MaxPooling1D(2))
model.add(Flatten())
model.add(Dense(50))
"""
)


def test_price_windows_behind_a_scaler_size_the_fitted_model(tmp_path: Path) -> None:
    assert findings_of(tmp_path, PRICE_WINDOWS) == [("KF001", 21, 371_300)]


def test_a_look_back_window_sizes_the_input_shape(tmp_path: Path) -> None:
    assert findings_of(tmp_path, LOOK_BACK) == [("KF001", 23, 32_050)]


def test_a_window_ending_at_a_shifted_index_sizes_the_input_shape(tmp_path: Path) -> None:
    assert findings_of(tmp_path, SPLIT_SEQUENCE) == [("KF001", 24, 44_850)]


def _with_window(text: str, bounds: str) -> str:
    return text.replace("x - prediction_days : x, 0", bounds)


def test_bounds_not_a_shift_of_one_index_leave_the_size_unknown(tmp_path: Path) -> None:
    """`2 * x` is no shift of `x`, `-x` neither, and two loops' indices are two numbers:
    the window's length is the code's to decide at run time, so the finding is KF002."""
    nested = PRICE_WINDOWS.replace(
        "    x_train.append(scaled_data[x - prediction_days : x, 0])",
        "    for j in range(len(scaled_data)):\n        x_train.append(scaled_data[j : x + 60, 0])",
    )
    texts = [
        _with_window(PRICE_WINDOWS, "2 * x : 2 * x + 60, 0"),
        _with_window(PRICE_WINDOWS, "-x : x + 60, 0"),
        _with_window(PRICE_WINDOWS, "x : x, 0"),
        nested,
    ]
    for text in texts:
        rules = [rule for rule, _, _ in findings_of(tmp_path, text)]
        assert rules == ["KF002"], text


def test_a_scaler_keeps_a_known_array_and_leaves_unknown_data_unknown(tmp_path: Path) -> None:
    known = PRICE_WINDOWS.replace('tr["Close"].values.reshape(-1, 1)', "np.zeros((500, 1))")
    assert findings_of(tmp_path, known) == [("KF001", 21, 371_300)]
    unknown = PRICE_WINDOWS.replace('tr["Close"].values.reshape(-1, 1)', 'tr[["Close"]]')
    assert [rule for rule, _, _ in findings_of(tmp_path, unknown)] == ["KF002"]


GOOGLE_STOCK = (
    HEAD
    + """
dataset_train = pd.read_csv("Google_Stock_Price_Train.csv")
training_set = dataset_train.iloc[:, 1:2].values
training_set_scaled = MinMaxScaler().fit_transform(training_set)
X_train, y_train = [], []
for i in range(60, len(training_set)):
    X_train.append(training_set_scaled[i - 60 : i, 0])
    y_train.append(training_set_scaled[i, 0])
X_train, y_train = np.array(X_train), np.array(y_train)
X_train = np.reshape(X_train, (X_train.shape[0], X_train.shape[1], 1))
model = Sequential()
model.add(Conv1D(32, 3, input_shape=(X_train.shape[1], 1)))
model.add(Flatten())
model.add(Dense(10))
"""
)


def test_columns_picked_from_a_dataframe_have_a_known_width(tmp_path: Path) -> None:
    """`iloc[:, 1:2]`, `loc[:, ["Open"]]`, `df[["Open"]]` are one column, `df["Open"]` a
    Series (one number per row): 60 -> Conv1D(32, 3) 58, 58*32*10 + 10 = 18,570."""
    selections = [
        "dataset_train.iloc[:, 1:2].values",
        "dataset_train.iloc[:, 1:2].to_numpy()",
        'dataset_train.loc[:, ["Open"]].values',
        'dataset_train[["Open"]].values',
        'dataset_train["Open"].values.reshape(-1, 1)',
        "dataset_train.iloc[:, 1].values.reshape(-1, 1)",
    ]
    for selection in selections:
        text = GOOGLE_STOCK.replace("dataset_train.iloc[:, 1:2].values", selection)
        assert findings_of(tmp_path, text) == [("KF001", 19, 18_570)], selection


def test_columns_counted_from_the_tables_width_stay_unknown(tmp_path: Path) -> None:
    """`iloc[:, 1:]` and `iloc[:, :-1]` depend on how many columns the file has; two
    columns windowed whole do not reshape to (n, 60, 1)."""
    for selection in ("iloc[:, 1:]", "iloc[:, :-1]", "iloc[:, 1:3]"):
        text = GOOGLE_STOCK.replace("iloc[:, 1:2]", selection).replace(
            "i - 60 : i, 0", "i - 60 : i"
        )
        assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"], selection


WEEKLY_WINDOWS = (
    HEAD
    + """
from numpy import array, split


def to_supervised(train, n_input, n_out=7):
    data = train.reshape((train.shape[0] * train.shape[1], train.shape[2]))
    X, y = list(), list()
    in_start = 0
    for _ in range(len(data)):
        in_end = in_start + n_input
        out_end = in_end + n_out
        if out_end < len(data):
            x_input = data[in_start:in_end, 0]
            x_input = x_input.reshape((len(x_input), 1))
            X.append(x_input)
            y.append(data[in_end:out_end, 0])
        in_start += 1
    return array(X), array(y)


days = pd.read_csv("household_power_consumption_days.csv").values
train = array(split(days[1:-328], len(days[1:-328]) / 7))
train_x, train_y = to_supervised(train, 21)
model = Sequential()
model.add(Conv1D(16, 3, input_shape=(train_x.shape[1], train_x.shape[2])))
model.add(MaxPooling1D(pool_size=2))
model.add(Flatten())
model.add(Dense(10))
"""
)


def test_a_counter_window_from_one_column_of_a_reshaped_run_time_array(tmp_path: Path) -> None:
    """Jason Brownlee's weekly power-consumption `to_supervised` (JohnnySunkel/BlueSky,
    heldout29): the data is only known as 2-D (`reshape((n * 7, features))`), but the window
    `data[in_start:in_end, 0]` of a counter 21 apart is 21 values of one column.
    21 -> Conv1D(16, 3) 19 -> MaxPooling1D(2) 9: 9*16*10 + 10 = 1,450 (Keras 3)."""
    assert findings_of(tmp_path, WEEKLY_WINDOWS) == [("KF001", 33, 1_450)]
    every_column = WEEKLY_WINDOWS.replace("data[in_start:in_end, 0]", "data[in_start:in_end]")
    assert [rule for rule, _, _ in findings_of(tmp_path, every_column)] == ["KF002"]
