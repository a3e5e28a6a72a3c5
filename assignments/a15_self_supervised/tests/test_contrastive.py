"""Self-supervised pieces on hand-checkable inputs."""

import math

import torch
from contrastive import (
    augment,
    effective_rank,
    embedding_std,
    nt_xent_loss,
    rotation_batch,
    shift_images,
    two_views,
)


def test_nt_xent_by_hand() -> None:
    # two orthogonal pairs: each row's positive has cosine 1, the two others cosine 0
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    t = 0.5
    want = -math.log(math.exp(1 / t) / (math.exp(1 / t) + 2.0))
    assert abs(nt_xent_loss(z, 2 * z, t).item() - want) < 1e-12
    same = torch.ones(3, 2, dtype=torch.float64)
    assert abs(nt_xent_loss(same, same, 1.0).item() - math.log(5)) < 1e-12


def test_shift_moves_content_with_zero_fill() -> None:
    x = torch.zeros(1, 64)
    x[0, 0] = 1.0  # pixel (0, 0)
    out = shift_images(x, torch.tensor([[1, 2]]))
    assert out[0, 8 * 1 + 2] == 1.0 and out.sum() == 1.0
    assert shift_images(x, torch.tensor([[-1, 0]])).sum() == 0.0


def test_views_are_seeded_and_in_range() -> None:
    x = torch.rand(4, 64, generator=torch.Generator().manual_seed(0))
    v1, v2 = two_views(x, 1)
    assert torch.equal(v1, augment(x, 2)) and torch.equal(v2, augment(x, 3))
    assert not torch.equal(v1, v2) and v1.min() >= 0 and v1.max() <= 1
    assert torch.equal(augment(x, 5, max_shift=0, noise=0.0, drop=0.0), x)


def test_rotation_batch_labels_and_quarter_turn() -> None:
    x = torch.arange(128, dtype=torch.float32).view(2, 64)
    imgs, labels = rotation_batch(x)
    assert imgs.shape == (8, 64) and labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    # a counter-clockwise quarter turn puts the top-right pixel (0, 7) at the top left
    assert imgs[2, 0] == x[0, 7] and torch.equal(imgs[0], x[0])


def test_collapse_diagnostics() -> None:
    eye = torch.eye(4, dtype=torch.float64)
    assert abs(effective_rank(eye) - 3.0) < 1e-9  # centring removes one direction
    assert effective_rank(torch.ones(5, 3)) == 0.0 and embedding_std(torch.ones(5, 3)) < 1e-7
    assert abs(embedding_std(eye) - math.sqrt(3) / 4) < 1e-12


def test_train_rotation_learns_and_restores_the_mode() -> None:
    from contrastive import Encoder, rotation_accuracy, train_rotation

    x = 0.3 * torch.rand(32, 64, generator=torch.Generator().manual_seed(0))
    x[:, :8] = 1.0  # a bright top row: its rotation is easy to tell
    model = Encoder(4, 16, 4, 1)
    model.eval()
    hist = train_rotation(model, x, 20, 16, 3e-2, 0)
    assert len(hist) == 20 and hist[-1] < hist[0] - 0.5
    assert not model.training  # the mode it was in
    assert rotation_accuracy(model, x) > 0.9
    try:
        train_rotation(Encoder(4, 16, 16, 0), x, 1)  # 16 outputs: not a rotation head
    except ValueError:
        pass
    else:
        raise AssertionError("a head without 4 outputs did not raise ValueError")


def test_rotation_accuracy_of_tied_logits() -> None:
    from contrastive import Encoder, rotation_accuracy

    model = Encoder(4, 16, 4, 0)
    with torch.no_grad():
        model.head[1].weight.zero_()
        model.head[1].bias.zero_()
    # every logit ties, argmax takes the first class: only the k = 0 block is right
    assert rotation_accuracy(model, torch.rand(5, 64)) == 0.25
    assert model.training


def test_linear_probe_on_separable_features_leaves_the_encoder() -> None:
    from contrastive import Encoder, linear_probe

    model = Encoder(4, 16, 4, 0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.rand(40, 64, generator=torch.Generator().manual_seed(1))
    y = (x[:, 0] > 0.5).long()
    x[:, 0] = 10.0 * y  # class 1 lights up pixel 0
    acc = linear_probe(model, x, y, x, y, 100, 0.1)
    assert acc > 0.9
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert model.training and all(p.grad is None for p in model.parameters())
