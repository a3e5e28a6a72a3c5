"""Graded: forecasting the yearly sunspot numbers (part "forecasting", 10 points)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points
from dnn.sequences import chronological_windows, load_sunspots

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process


@part("forecasting")
@points(2)
def test_seasonal_naive(student, rng):
    """seasonal_naive predicts the value one period before the target (period 11 and 5, and
    windows exactly one period long), and raises ValueError for windows shorter than the
    period."""
    windows = rng.standard_normal((6, 14))
    got = student.forecast.seasonal_naive(windows)
    assert_close(got, windows[:, -11], rtol=0, atol=0, name="seasonal_naive (period 11)")
    got = student.forecast.seasonal_naive(windows, period=5)
    assert_close(got, windows[:, -5], rtol=0, atol=0, name="seasonal_naive (period 5)")
    got = student.forecast.seasonal_naive(windows[:, 3:])
    assert_close(got, windows[:, 3], rtol=0, atol=0, name="seasonal_naive (W = period = 11)")
    with pytest.raises(StudentError) as raised:
        student.forecast.seasonal_naive(windows[:, :8])
    assert raised.value.type_name == "ValueError", (
        f"windows of 8 values with period 11 should raise ValueError, not "
        f"{raised.value.type_name}")


def torch_forecaster(rng, hidden: int, mean: float, std: float):
    """torch's GRU and Linear with random weights, the Forecaster's state_dict holding them, and
    the oracle forecast: standardise, GRU, read out the last step, undo the standardisation."""
    gru, head = torch.nn.GRU(1, hidden, batch_first=True).double(), torch.nn.Linear(hidden, 1)
    head = head.double()
    with torch.no_grad():
        for p in [*gru.parameters(), *head.parameters()]:
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape))) * 0.5)
    state = {f"net.rnn.{k}": v.clone() for k, v in gru.state_dict().items()}
    state.update({f"net.head.{k}": v.clone() for k, v in head.state_dict().items()})
    state.update({"mean": torch.tensor(mean, dtype=torch.float64),
                  "std": torch.tensor(std, dtype=torch.float64)})

    def oracle(windows: np.ndarray) -> np.ndarray:
        z = (torch.from_numpy(windows) - mean) / std
        out, _ = gru(z.unsqueeze(-1))
        return (head(out[:, -1])[:, 0] * std + mean).detach().numpy()

    return state, oracle


@part("forecasting")
@points(2)
def test_forecaster_forward_and_predict(student, rng):
    """Forecaster.forward standardises the window with the mean and std buffers, runs the GRU
    SequenceModel and un-standardises the last step's output (torch's GRU and Linear with
    copied weights, float64); predict returns float64 forecasts for windows of any length."""
    state, oracle = torch_forecaster(rng, 5, 80.0, 40.0)
    model = student.forecast.Forecaster(hidden_size=5).double()
    model.load_state_dict(state)
    windows = 80 + 40 * rng.standard_normal((6, 12))
    got = model(torch.from_numpy(windows))
    assert torch.is_tensor(got) and tuple(got.shape) == (6,), "forward returns (N,) forecasts"
    assert_close(got, oracle(windows), rtol=1e-10, atol=1e-9, name="Forecaster.forward")
    model = student.forecast.Forecaster(hidden_size=5)  # float32, as trained
    model.load_state_dict({k: v.float() for k, v in state.items()})
    for width in (7, 20):
        windows = 80 + 40 * rng.standard_normal((4, width))
        got = student.forecast.predict(model, windows)
        assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (4,), (
            "predict returns a float64 array (N,)")
        assert_close(got, oracle(windows), rtol=1e-4, atol=1e-3, name=f"predict (W = {width})")


@part("forecasting")
@points(2)
def test_train_forecaster_recipe(student, rng):
    """train_forecaster follows its docstring: torch.manual_seed(seed), the training series'
    mean and (population) std as buffers, every chronological window, full-batch Adam on the
    MSE of the standardised next value with gradients clipped to total norm 1: two steps
    replayed with torch's GRU and Linear from the model's own initial weights give the same
    weights."""
    train = load_sunspots()["train"].values[:90]
    kw = {"window": 8, "hidden_size": 6, "lr": 0.05, "seed": int(rng.integers(1, 50))}
    init = student.forecast.train_forecaster(train, steps=0, **kw).state_dict()
    for key, want in (("mean", np.mean(train)), ("std", np.std(train))):
        assert key in init, f"the Forecaster has no buffer {key}"
        assert_close(float(init[key]), float(want), rtol=1e-6,
                     name=f"the {key} buffer of the training series")
    got = student.forecast.train_forecaster(train, steps=2, **kw).state_dict()
    gru, head = torch.nn.GRU(1, 6, batch_first=True), torch.nn.Linear(6, 1)
    gru.load_state_dict({k[8:]: v for k, v in init.items() if k.startswith("net.rnn.")})
    head.load_state_dict({k[9:]: v for k, v in init.items() if k.startswith("net.head.")})
    mean, std = float(np.mean(train)), float(np.std(train))
    xw, yw = chronological_windows(train, 8)
    z = torch.from_numpy(((xw - mean) / std).astype(np.float32)).unsqueeze(-1)
    z_next = torch.from_numpy(((yw - mean) / std).astype(np.float32))
    params = [*gru.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.05)
    for _ in range(2):
        loss = torch.mean((head(gru(z)[0][:, -1])[:, 0] - z_next) ** 2)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    want = {f"net.rnn.{k}": v for k, v in gru.state_dict().items()}
    want.update({f"net.head.{k}": v for k, v in head.state_dict().items()})
    for key, value in want.items():
        assert key in got, f"the trained Forecaster has no parameter {key}"
        assert_close(got[key], value, rtol=1e-4, atol=1e-4, name=f"trained {key}")


@part("forecasting")
@points(4)
def test_forecaster_beats_seasonal_naive(student):
    """train_forecaster with its defaults (seed 0) on 1700-1958 predicts each of the 50 test
    years 1959-2008 from the 12 years before it with a mean absolute error below 0.8 times the
    seasonal-naive baseline's (the solution: about 0.45 times)."""
    data = load_sunspots()
    full = np.concatenate([data["train"].values, data["test"].values])
    x, y = chronological_windows(full, 12)
    x_test, y_test = x[-50:], y[-50:]  # the targets stay here
    model = student.forecast.train_forecaster(data["train"].values, seed=0)
    pred = student.forecast.predict(model, x_test)
    assert isinstance(pred, np.ndarray) and pred.shape == (50,), "predict returns (N,) values"
    assert np.all(np.isfinite(pred)), "the predictions must be finite"
    mae = float(np.mean(np.abs(pred - y_test)))
    baseline = float(np.mean(np.abs(x_test[:, -11] - y_test)))
    assert mae < 0.8 * baseline, (
        f"test MAE {mae:.1f} is not below 0.8 x the seasonal-naive MAE {baseline:.1f}")
