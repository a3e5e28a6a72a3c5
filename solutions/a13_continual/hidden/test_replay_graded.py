"""Graded: reservoir and class-balanced buffers, A-GEM's projection and experience replay
(part "replay", 16 points)."""

import numpy as np
import pytest
import torch
from scipy import stats

from autograder.testing import StudentError, assert_close, part, points, watch_call


def items(n, device="cpu", offset=0):
    x = torch.arange(offset, offset + n, dtype=torch.float32, device=device)[:, None].repeat(1, 3)
    return x, torch.arange(offset, offset + n, device=device) % 10


@part("replay")
@points(2)
def test_agem_projection(student, rng, device):
    """agem_project: g unchanged when g . g_ref >= 0, else g - (g.g_ref / g_ref.g_ref) g_ref
    (orthogonal to g_ref); no argument is modified."""
    g_ref = rng.normal(size=50)
    for sign in (1.0, -1.0):
        g = rng.normal(size=50)
        g = g + sign * (abs(g @ g_ref) / (g_ref @ g_ref) + 0.5) * g_ref   # dot has sign `sign`
        gt, rt = torch.as_tensor(g, device=device), torch.as_tensor(g_ref, device=device)
        call = watch_call(student.replay.agem_project, gt, rt)
        assert not call.changed, f"agem_project modified {call.changed} in place"
        want = g if g @ g_ref >= 0 else g - (g @ g_ref) / (g_ref @ g_ref) * g_ref
        assert_close(call.result, want, rtol=1e-10, atol=1e-12,
                     name=f"the projection ({'no' if sign > 0 else 'a'} conflict)")
        if sign < 0:
            assert abs(float(call.result @ rt)) < 1e-9, "the projection should be orthogonal"
    g = torch.as_tensor(rng.normal(size=50), device=device)
    assert_close(student.replay.agem_project(g, torch.zeros_like(g)), g, rtol=0,
                 name="g with a zero reference gradient")


@part("replay")
@points(2)
def test_reservoir_is_algorithm_r(student, reference, device):
    """ReservoirBuffer follows algorithm R with the documented draws (same contents as the
    specification for the same seed), keeps the first `capacity` items in order, counts
    n_seen, does not modify its arguments and refuses capacity 0."""
    x, y = items(60, device)
    buf = student.replay.ReservoirBuffer(8, seed=5)
    call = watch_call(buf.add, x[:5], y[:5])
    assert not call.changed, f"add modified {call.changed} in place"
    assert len(buf) == 5, "len should count the stored items"
    got_x, got_y = buf.contents()
    assert_close(got_x, x[:5], name="a buffer not yet full")
    buf.add(x[5:], y[5:])
    want = reference.replay.ReservoirBuffer(8, seed=5)
    want.add(x, y)
    assert buf.n_seen == 60 and len(buf) == 8, "n_seen should be 60 and len 8"
    got_x, got_y = buf.contents()
    want_x, want_y = want.contents()
    assert_close(got_x, want_x, name="the stored items, slot by slot")
    assert_close(got_y, want_y, name="the stored labels, slot by slot")
    with pytest.raises(StudentError) as raised:
        student.replay.ReservoirBuffer(0)
    assert raised.value.type_name == "ValueError", "capacity 0 should raise ValueError"
    one = student.replay.ReservoirBuffer(1, seed=5)  # the smallest buffer
    one.add(x, y)
    want = reference.replay.ReservoirBuffer(1, seed=5)
    want.add(x, y)
    assert len(one) == 1 and one.n_seen == 60, "a buffer of capacity 1 holds one of the items"
    assert_close(one.contents()[0], want.contents()[0], name="the item a capacity-1 buffer keeps")


@part("replay")
@points(2)
def test_reservoir_sample(student, reference, device):
    """sample(n) returns min(n, len) distinct stored items, the slots of randperm of the
    buffer's generator."""
    x, y = items(30, device)
    buf = student.replay.ReservoirBuffer(12, seed=2)
    buf.add(x, y)
    want = reference.replay.ReservoirBuffer(12, seed=2)
    want.add(x, y)
    for n in (5, 50):
        got_x, got_y = buf.sample(n)
        want_x, want_y = want.sample(n)
        assert len(got_y) == min(n, 12), f"sample({n}) should return min(n, len) items"
        assert len(set(got_x[:, 0].tolist())) == len(got_y), "sampled items should be distinct"
        assert_close(got_x, want_x, name=f"sample({n})")
        assert_close(got_y, want_y, name=f"sample({n}) labels")


@part("replay")
@points(3)
def test_class_balanced_buffer(student, reference, device):
    """ClassBalancedBuffer shares the capacity equally among the classes seen (quota = capacity
    // classes), stores only items of each class, matches the specified draws, and a class
    arriving late gets its full quota."""
    rng = np.random.default_rng(0)
    y = torch.as_tensor(np.concatenate([rng.integers(0, 3, 90), rng.integers(3, 5, 40)]),
                        device=device)
    x = torch.arange(len(y), dtype=torch.float32, device=device)[:, None]
    buf = student.replay.ClassBalancedBuffer(20, seed=1)
    assert buf.quota() == 20, "an empty buffer's quota is its capacity"
    buf.add(x[:1], y[:1])
    assert buf.quota() == 20, "with one class seen, that class may fill the whole capacity"
    buf = student.replay.ClassBalancedBuffer(20, seed=1)
    buf.add(x[:90], y[:90])
    assert buf.quota() == 6 and len(buf) == 18, "3 classes in 20 slots: quota 6, 18 stored"
    buf.add(x[90:], y[90:])
    assert buf.quota() == 4 and len(buf) == 20, "5 classes in 20 slots: quota 4, 20 stored"
    got_x, got_y = buf.contents()
    ids = got_x[:, 0].long()
    assert (y[ids] == got_y).all(), "a stored label should be its item's label"
    assert sorted(np.bincount(got_y.cpu().numpy()).tolist()) == [4] * 5, (
        "every class should hold its quota")
    want = reference.replay.ClassBalancedBuffer(20, seed=1)
    want.add(x[:90], y[:90])
    want.add(x[90:], y[90:])
    want_x, want_y = want.contents()
    assert_close(got_x, want_x, name="the stored items")
    assert_close(got_y, want_y, name="the stored labels")


@part("replay")
@points(4)
def test_reservoir_is_uniform(student):
    """After a stream of 100 items, every item is in a ReservoirBuffer(10) with probability
    10/100 (chi-square test over 250 seeds), whatever its position in the stream."""
    x, y = items(100)
    counts = np.zeros(100)
    for seed in range(250):
        buf = student.replay.ReservoirBuffer(10, seed=seed)
        buf.add(x, y)
        stored, labels = buf.contents()
        ids = stored[:, 0].long().numpy()
        assert len(ids) == 10 and len(set(ids.tolist())) == 10, (
            "a full buffer should hold `capacity` distinct items")
        assert (labels.numpy() == ids % 10).all(), "stored labels should follow their items"
        counts[ids] += 1
    p = stats.chisquare(counts).pvalue
    assert p > 1e-4, f"the items' inclusion counts are not uniform (chi-square p = {p:.1e})"
    first, last = counts[:50].sum(), counts[50:].sum()
    assert abs(first - last) < 0.15 * (first + last), "early and late items are not equally kept"


@part("replay")
@points(3)
def test_replay_beats_naive(student, reference, device):
    """train_replay (capacity 100) on class-incremental split digits reaches an ACC at least 0.3
    above naive fine-tuning from the same weights."""
    stream = [{k: v.to(device) for k, v in e.items()} for e in reference.cl_streams.split_digits(5)]
    naive = reference.cl_train.make_mlp(seed=0).to(device)
    acc_naive = reference.cl_metrics.average_accuracy(
        reference.cl_train.train_naive(naive, stream, epochs=3))
    model = student.cl_train.make_mlp(seed=0)
    model.to(device)
    r = student.replay.train_replay(model, stream, capacity=100, epochs=3)
    acc = reference.cl_metrics.average_accuracy(r)
    assert acc >= acc_naive + 0.3, (
        f"replay's ACC {acc:.2f} is not 0.3 above naive's {acc_naive:.2f}")
