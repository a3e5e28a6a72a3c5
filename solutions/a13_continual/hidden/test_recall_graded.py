"""Graded: the associative-recall task, the key-value memory network on the NTM functions, its
training recipe replayed in the test, and the memory network recalling what an LSTM with as many
parameters cannot (part "recall", 20 points)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call

W, P = 8, 4  # the trained task: 4 pairs of 8-bit keys and values


def oracle_batch(b, p, w, g):
    """The task from the handout's draws, assembled another way (float32, CPU)."""
    keys = torch.randint(0, 2, (b, p, w), generator=g) * 2.0 - 1.0
    values = torch.randint(0, 2, (b, p, w), generator=g) * 2.0 - 1.0
    q = torch.randint(0, p, (b,), generator=g)
    pairs = torch.cat([keys, values, torch.zeros(b, p, 1)], dim=2)
    query = torch.cat([torch.stack([keys[i, q[i]] for i in range(b)]), torch.zeros(b, w),
                       torch.ones(b, 1)], dim=1)
    target = torch.stack([values[i, q[i]] for i in range(b)])
    return torch.cat([pairs, query[:, None]], dim=1), target, q


def oracle_accuracy(pred, target):
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    return float(np.mean([all(np.sign(pred[i]) == target[i]) for i in range(len(pred))]))


def oracle_forward(params, x, n_slots):
    """The handout's network in plain torch ops (no ntm functions): slot t holds pair t."""
    b, steps, _ = x.shape
    p, w = steps - 1, (x.shape[2] - 1) // 2
    d = params["add.bias"].shape[0]
    rows = [x[:, t, :2 * w] @ params["add.weight"].T + params["add.bias"] for t in range(p)]
    mem = torch.cat([torch.stack(rows, 1), x.new_zeros(b, n_slots - p, d)], dim=1)
    q = x[:, p, :w]
    key = q @ params["query.weight"].T + params["query.bias"]
    beta = torch.log1p(torch.exp(q @ params["strength.weight"].T + params["strength.bias"]))
    norms = mem.norm(dim=2).clamp_min(1e-8) * key.norm(dim=1, keepdim=True).clamp_min(1e-8)
    cos = (mem * key[:, None]).sum(2) / norms
    w_r = torch.softmax(beta * cos, dim=1)
    r = (w_r[:, :, None] * mem).sum(1)
    return r @ params["out.weight"].T + params["out.bias"], w_r


def random_params(rng, w, d, scale=0.5, dtype=torch.float64):
    shapes = {"add.weight": (d, 2 * w), "add.bias": (d,), "query.weight": (d, w),
              "query.bias": (d,), "strength.weight": (1, w), "strength.bias": (1,),
              "out.weight": (w, d), "out.bias": (w,)}
    return {k: torch.as_tensor(rng.normal(scale=scale, size=s), dtype=dtype)
            for k, s in shapes.items()}


def solved_params(w):
    """A hand-made solution: slot = (k; v), read key (k_q; 0), beta = softplus(30), out = v."""
    eye, zero = torch.eye(w, dtype=torch.float64), torch.zeros(w, w, dtype=torch.float64)
    return {"add.weight": torch.eye(2 * w, dtype=torch.float64),
            "add.bias": torch.zeros(2 * w, dtype=torch.float64),
            "query.weight": torch.cat([eye, zero]), "query.bias": torch.zeros(2 * w,
                                                                             dtype=torch.float64),
            "strength.weight": torch.zeros(1, w, dtype=torch.float64),
            "strength.bias": torch.tensor([30.0], dtype=torch.float64),
            "out.weight": torch.cat([zero, eye], dim=1),
            "out.bias": torch.zeros(w, dtype=torch.float64)}


def student_model(student, params, width, n_slots, device, mem_width=None):
    model = student.memory_task.MemoryRecall(width, n_slots, mem_width)
    if next(iter(params.values())).dtype == torch.float64:
        model.double()
    model.load_state_dict(params)
    model.to(device)
    return model


@part("recall")
@points(3)
def test_recall_batch(student):
    """recall_batch draws keys, values, then q from the given generator (the same tensors as
    the handout's draws for the same seed), lays out the pairs and the flagged query as
    specified, targets values[b, q[b]], handles one pair, one bit and one row, and raises
    ValueError for a size of 0."""
    calls = student.lib("dnn.calls")
    for b, p, w, seed in ((16, 4, 8, 3), (5, 1, 3, 11), (1, 3, 1, 7), (40, 6, 2, 5)):
        x, target, q = calls.call_with_generator(student.memory_task.recall_batch, seed, b, p, w)
        want_x, want_t, want_q = oracle_batch(b, p, w, torch.Generator().manual_seed(seed))
        where = f"(B={b}, P={p}, W={w})"
        assert tuple(x.shape) == (b, p + 1, 2 * w + 1), f"x should be (B, P+1, 2W+1) {where}"
        assert x.dtype == torch.float32, f"x should be float32 {where}"
        assert tuple(target.shape) == (b, w), f"target should be (B, W) {where}"
        assert q.dtype == torch.int64 and tuple(q.shape) == (b,), f"q should be (B,) int64 {where}"
        assert torch.equal(q, want_q), f"q is not the specified draw {where}"
        assert_close(x, want_x, rtol=0, atol=0, name=f"x {where}")
        assert_close(target, want_t, rtol=0, atol=0, name=f"target {where}")
    for bad in ((0, 2, 2), (2, 0, 2), (2, 2, 0)):
        with pytest.raises(StudentError) as raised:
            calls.call_with_generator(student.memory_task.recall_batch, 0, *bad)
        assert raised.value.type_name == "ValueError", f"sizes {bad} should raise ValueError"


@part("recall")
@points(2)
def test_recall_accuracy(student, rng, device):
    """recall_accuracy is the fraction of rows whose every sign matches the target: magnitudes
    do not matter, one wrong bit loses the row, a zero prediction is wrong."""
    target = torch.as_tensor(rng.choice([-1.0, 1.0], size=(10, 5)), device=device)
    pred = target * torch.as_tensor(rng.uniform(0.1, 3.0, size=(10, 5)), device=device)
    pred[1, 3] *= -1
    pred[4, 0] = 0.0
    pred[7] *= -1
    got = student.memory_task.recall_accuracy(pred, target)
    assert isinstance(got, float), "recall_accuracy should return a Python float"
    assert abs(got - oracle_accuracy(pred.cpu(), target.cpu())) < 1e-6, \
        "recall_accuracy is wrong on rows with a flipped bit, a zero and a flipped row"
    assert student.memory_task.recall_accuracy(target[:1], target[:1]) == 1.0, \
        "a single exact row should give 1.0"


@part("recall")
@points(4)
def test_memory_forward_matches_oracle(student, rng, device):
    """MemoryRecall has the specified submodules and shapes (load_state_dict of the handout's
    names), and its forward matches a float64 re-implementation of the handout (pair t in slot
    t, zero slots left empty, content read with beta = softplus) for the answer and the read
    weights, with more slots than pairs, another memory width, the smallest model (W = N = 1),
    and on a repeated call; x is not modified."""
    for w, n, p, d in ((4, 5, 3, None), (3, 2, 2, 5), (2, 6, 6, None), (1, 1, 1, None)):
        dd = 2 * w if d is None else d
        params = random_params(rng, w, dd)
        model = student_model(student, params, w, n, device, d)
        keys = rng.choice([-1.0, 1.0], size=(6, p, 2 * w))
        x = np.zeros((6, p + 1, 2 * w + 1))
        x[:, :p, :2 * w] = keys
        x[:, p, :w] = rng.normal(size=(6, w))
        x[:, p, 2 * w] = 1.0
        xt = torch.as_tensor(x, device=device)
        call = watch_call(model, xt)
        assert not call.changed, "forward modified its input in place"
        y, w_r = call.result
        want_y, want_w = oracle_forward(params, torch.as_tensor(x), n)
        where = f"(W={w}, N={n}, P={p}, D={dd})"
        assert tuple(y.shape) == (6, w) and tuple(w_r.shape) == (6, n), \
            f"forward should return y (B, W) and w_r (B, N) {where}"
        assert_close(w_r, want_w, rtol=1e-9, atol=1e-12, name=f"the read weights {where}")
        assert_close(y, want_y, rtol=1e-9, atol=1e-12, name=f"the answer {where}")
        y2, _ = model(xt)
        assert_close(y2, want_y, rtol=1e-9, atol=1e-12, name=f"the answer, called again {where}")


@part("recall")
@points(3)
def test_memory_recalls_through_its_slots(student, rng, device):
    """With hand-made weights (slot = (k; v), read key (k_q; 0), large beta, output v) the model
    reads the queried pair's slot and answers its value: changing that value changes the
    answer, changing another pair's value does not; more pairs than slots raise ValueError and
    sizes below 1 too."""
    n = 5
    model = student_model(student, solved_params(W), W, n, device)
    x, target, q = oracle_batch(64, 4, W, torch.Generator().manual_seed(int(rng.integers(1000))))
    x, target = x.double(), target.double()
    distinct = torch.tensor([len({tuple(k.tolist()) for k in row}) == 4 for row in x[:, :4, :W]])
    y, w_r = model(x.to(device))
    assert (w_r.cpu().argmax(1)[distinct] == q[distinct]).all(), \
        "the read weights should peak on the slot of the queried pair (slot t holds pair t)"
    assert oracle_accuracy(y.cpu()[distinct], target[distinct]) == 1.0, \
        "the solved model should recall every value exactly (by sign)"
    flipped = x.clone()
    rows = torch.arange(64)
    flipped[rows, q, W:2 * W] *= -1                    # the queried pair's value
    y_f, _ = model(flipped.to(device))
    assert oracle_accuracy(y_f.cpu()[distinct], -target[distinct]) == 1.0, \
        "flipping the stored value of the queried pair should flip the answer"
    other = x.clone()
    other[rows, (q + 1) % 4, W:2 * W] *= -1            # another pair's value
    y_o, _ = model(other.to(device))
    assert oracle_accuracy(y_o.cpu()[distinct], target[distinct]) == 1.0, \
        "changing another pair's value should not change the answer"
    with pytest.raises(StudentError) as raised:
        model(torch.zeros(2, n + 2, 2 * W + 1, dtype=torch.float64, device=device))
    assert raised.value.type_name == "ValueError", "more pairs than slots should raise ValueError"
    for bad in ((0, 3), (3, 0)):
        with pytest.raises(StudentError) as raised:
            student.memory_task.MemoryRecall(*bad)
        assert raised.value.type_name == "ValueError", f"MemoryRecall{bad} should raise"


@part("recall")
@points(3)
def test_train_recall_recipe(student, rng):
    """train_recall replays as specified from the model's own initial weights: one seeded
    generator for every step's recall_batch(batch_size, P, W), Adam(lr), the mean squared error
    of y against the target, the loss of every step returned, training mode left on."""
    w, p, steps, bs, lr, seed = 3, 2, 3, 5, 0.05, int(rng.integers(1000))
    model = student.memory_task.MemoryRecall(w, 3)
    init = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.eval()
    losses = student.memory_task.train_recall(model, n_pairs=p, width=w, steps=steps,
                                              batch_size=bs, lr=lr, seed=seed)
    params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    opt = torch.optim.Adam(params.values(), lr=lr)
    g, want = torch.Generator().manual_seed(seed), []
    for _ in range(steps):
        x, target, _ = oracle_batch(bs, p, w, g)
        loss = ((oracle_forward(params, x, 3)[0] - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        want.append(loss.item())
    assert len(losses) == steps, "train_recall should return one loss per step"
    assert_close(np.asarray(losses), np.asarray(want), rtol=1e-4, atol=1e-6,
                 name="the loss of every step")
    got = model.state_dict()
    for k, v in params.items():
        assert_close(got[k].cpu(), v.detach(), rtol=1e-4, atol=1e-6, name=f"{k} after training")
    assert model.training, "train_recall should leave the model in training mode"


@part("recall")
@points(2)
def test_evaluate_recall(student, rng):
    """evaluate_recall is recall_accuracy of the model's answers on
    recall_batch(n, P, W, generator=torch.Generator().manual_seed(seed)), and restores the
    model's mode (training or eval)."""
    params = solved_params(W)
    params["add.weight"] = params["add.weight"] + torch.as_tensor(rng.normal(scale=0.17,
                                                                             size=(16, 16)))
    model = student_model(student, {k: v.float() for k, v in params.items()}, W, 4, "cpu")
    seed = int(rng.integers(1000))
    x, _, _ = oracle_batch(200, 4, W, torch.Generator().manual_seed(seed))
    _, target, _ = oracle_batch(200, 4, W, torch.Generator().manual_seed(seed))
    want = oracle_accuracy(model(x)[0], target)
    assert 0.05 < want < 0.95, "test set-up: the perturbed model should make some mistakes"
    for mode in (True, False):
        model.train(mode)
        got = student.memory_task.evaluate_recall(model, n_pairs=4, width=W, n=200, seed=seed)
        assert abs(got - want) < 1e-6, "evaluate_recall is not the accuracy on the seeded batch"
        assert model.training == mode, "evaluate_recall should restore the model's mode"


class LSTMRecall(torch.nn.Module):
    def __init__(self, w, hidden):
        super().__init__()
        self.lstm = torch.nn.LSTM(2 * w + 1, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, w)

    def forward(self, x):
        return self.head(self.lstm(x)[0][:, -1])


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@part("recall")
@points(3)
def test_memory_beats_an_lstm_of_as_many_parameters(student, rng, device):
    """Trained by train_recall for 150 steps (batch 32, Adam 0.03) on 4 pairs of 8-bit vectors
    from seeded initial weights, the memory network recalls at least 80% of 512 held-out queries
    exactly, while an LSTM with no more parameters, trained the same way in the test, stays
    under 20% (the measured figures are in the handout)."""
    seed = int(rng.integers(1000))
    torch.manual_seed(seed)
    params = {k: v for k, v in zip(
        ("add.weight", "add.bias", "query.weight", "query.bias", "strength.weight",
         "strength.bias", "out.weight", "out.bias"),
        [t.detach() for lin in (torch.nn.Linear(2 * W, 2 * W), torch.nn.Linear(W, 2 * W),
                                torch.nn.Linear(W, 1), torch.nn.Linear(2 * W, W))
         for t in (lin.weight, lin.bias)], strict=True)}
    model = student_model(student, params, W, P, device)
    student.memory_task.train_recall(model, n_pairs=P, width=W, steps=150, batch_size=32,
                                     lr=0.03, seed=seed)
    x, target, _ = oracle_batch(512, P, W, torch.Generator().manual_seed(seed + 1))
    model.eval()
    y, _ = model(x.to(device))
    memory_acc = oracle_accuracy(y.cpu(), target)
    hidden = 1
    while n_params(LSTMRecall(W, hidden + 1)) <= sum(v.numel() for v in params.values()):
        hidden += 1
    lstm = LSTMRecall(W, hidden)
    opt = torch.optim.Adam(lstm.parameters(), lr=0.03)
    g = torch.Generator().manual_seed(seed)
    for _ in range(150):
        xb, tb, _ = oracle_batch(32, P, W, g)
        loss = F.mse_loss(lstm(xb), tb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        lstm_acc = oracle_accuracy(lstm(x), target)
    assert lstm_acc < 0.2, "the baseline LSTM recalled more than expected (a test problem)"
    assert memory_acc >= 0.8, \
        f"the memory network recalled {memory_acc:.2f} of the queries exactly, under 0.80"
