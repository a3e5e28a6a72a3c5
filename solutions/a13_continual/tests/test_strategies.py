"""Naive fine-tuning forgets; EWC, replay and distillation behave on small inputs."""

import pytest
import torch
from cl_metrics import average_accuracy, forgetting
from cl_streams import split_digits
from cl_train import fit_experience, make_mlp, train_naive
from distillation import distillation_loss
from ewc import ewc_penalty, fisher_diagonal
from replay import ReservoirBuffer, agem_project, train_replay

torch.set_num_threads(1)


def test_fit_experience_counts_batches() -> None:
    x, y = torch.randn(70, 64), torch.randint(0, 10, (70,))
    assert len(fit_experience(make_mlp(), x, y, epochs=2, batch_size=32)) == 6


def test_naive_forgets_and_replay_remembers() -> None:
    stream = split_digits(5)[:3]
    r_naive = train_naive(make_mlp(), stream, epochs=3)
    r_replay = train_replay(make_mlp(), stream, capacity=60, epochs=3)
    assert forgetting(r_naive) > 0.6
    assert average_accuracy(r_replay) > average_accuracy(r_naive) + 0.2


def test_fisher_is_nonnegative_and_penalty_zero_at_anchor() -> None:
    model = make_mlp(64, 8, 10)
    x, y = torch.randn(16, 64), torch.randint(0, 10, (16,))
    fisher = fisher_diagonal(model, x, y)
    assert set(fisher) == {k for k, _ in model.named_parameters()}
    assert all((f >= 0).all() for f in fisher.values())
    anchor = {k: v.detach().clone() for k, v in model.named_parameters()}
    assert float(ewc_penalty(model, fisher, anchor, 10.0).detach()) == 0.0


def test_distillation_of_equal_logits_is_the_entropy() -> None:
    z = torch.tensor([[1.0, 2.0, 3.0]])
    p = torch.softmax(z / 2, -1)
    want = 4 * -(p * p.log()).sum()
    torch.testing.assert_close(distillation_loss(z, z, 2.0), want)


def test_reservoir_keeps_capacity_and_agem_projects() -> None:
    buf = ReservoirBuffer(5, seed=0)
    buf.add(torch.arange(20.0)[:, None], torch.arange(20))
    assert len(buf) == 5 and buf.n_seen == 20
    g, ref = torch.tensor([1.0, -1.0]), torch.tensor([0.0, 1.0])
    torch.testing.assert_close(agem_project(g, ref), torch.tensor([1.0, 0.0]))


def test_fisher_matches_a_loop_over_examples() -> None:
    torch.manual_seed(1)
    model = make_mlp(4, 5, 3)
    x, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    emp = {k: torch.zeros_like(v) for k, v in model.named_parameters()}
    true = {k: torch.zeros_like(v) for k, v in model.named_parameters()}
    for n in range(6):
        logp = torch.log_softmax(model(x[n:n + 1]), -1)[0]
        for c in range(3):
            grads = torch.autograd.grad(logp[c], list(model.parameters()), retain_graph=True)
            for (k, _), g in zip(model.named_parameters(), grads, strict=True):
                true[k] += logp[c].exp().detach() * g ** 2 / 6
                if c == y[n]:
                    emp[k] += g ** 2 / 6
    for k, v in fisher_diagonal(model, x, y).items():
        torch.testing.assert_close(v, emp[k])
    for k, v in fisher_diagonal(model, x, empirical=False).items():
        torch.testing.assert_close(v, true[k])


def test_penalty_and_online_fisher_by_hand() -> None:
    model = make_mlp(2, 2, 2)
    params = dict(model.named_parameters())
    fisher = {"2.bias": torch.tensor([1.0, 3.0])}
    anchor = {"2.bias": params["2.bias"].detach() + torch.tensor([1.0, 2.0])}
    assert float(ewc_penalty(model, fisher, anchor, 2.0).detach()) == pytest.approx(13.0)
    from ewc import online_fisher
    out = online_fisher({"a": torch.tensor([2.0])}, {"a": torch.tensor([1.0])}, 0.5)
    torch.testing.assert_close(out["a"], torch.tensor([2.0]))


def test_distillation_averages_over_the_batch() -> None:
    z = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    one = distillation_loss(z[:1], z[:1], 1.0)
    two = distillation_loss(z[1:], z[1:], 1.0)
    torch.testing.assert_close(distillation_loss(z, z, 1.0), (one + two) / 2)


def test_reservoir_keeps_early_items() -> None:
    early = 0
    for seed in range(200):
        buf = ReservoirBuffer(5, seed=seed)
        buf.add(torch.arange(20.0)[:, None], torch.arange(20))
        early += int((buf.contents()[0] < 10).sum())
    assert 350 < early < 650   # 500 expected: each of the 20 items is kept with probability 1/4
