"""Graded: stages, freezing, parameter groups, gradual unfreezing, feature extraction and
the benefit of the course-pretrained backbone on digits with few labels (part "transfer",
20 points). Test labels never enter the sandbox: predictions are scored here."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points
from dnn import backbone
from dnn.data import load_digits

STAGES = ("stem", "layer1", "layer2", "layer3", "layer4", "fc")


def want_stage(name: str) -> str:
    top = name.split(".")[0]
    return "stem" if top in ("conv1", "bn1") else top


def model_in_sandbox(student, device: str, seed: int = 0, classes: int = 10):
    net = student.lib("dnn.backbone").small_resnet(classes, seed)
    net.to(device)
    return net


def random_batch(rng, n: int, device: str, classes: int = 10):
    x = torch.from_numpy(rng.standard_normal((n, 3, 32, 32))).float().to(device)
    return x, torch.from_numpy(rng.integers(0, classes, n)).to(device)


@part("transfer")
@points(1)
def test_stage_of(student):
    """stage_of maps every parameter and buffer name to its stage and rejects other names."""
    for name in backbone.small_resnet(10).state_dict():
        assert student.transfer.stage_of(name) == want_stage(name), f"stage of {name!r}"
    for bad in ("avgpool", "", "layer5.0.conv1.weight"):
        with pytest.raises(StudentError) as err:
            student.transfer.stage_of(bad)
        assert err.value.type_name == "ValueError", f"{bad!r} is in no stage: ValueError"


@part("transfer")
@points(1)
def test_replace_head(student, device):
    """replace_head puts a seeded nn.Linear(in_features, num_classes) of the old head's dtype
    in model.fc."""
    net = model_in_sandbox(student, device)
    net.double()
    student.transfer.replace_head(net, 3, 7)
    torch.manual_seed(7)
    want = torch.nn.Linear(128, 3)
    got = net.fc.weight
    assert tuple(got.shape) == (3, 128) and got.dtype == torch.float64, "fc: (3, 128), float64"
    assert_close(got.cpu(), want.weight.double(), rtol=1e-6, atol=1e-7, name="seeded fc.weight")


@part("transfer")
@points(2)
def test_set_trainable_and_train_mode(student, device):
    """set_trainable sets requires_grad by stage; train_mode puts the modules of frozen stages
    (their batch norms included) in eval mode and the rest in train mode."""
    info = student.lib("dnn.modelinfo")
    net = model_in_sandbox(student, device)
    names = list(backbone.small_resnet(10).state_dict())
    params = [n for n, _ in backbone.small_resnet(10).named_parameters()]
    for stages in (("fc",), ("layer4", "fc"), STAGES, ("stem", "layer2")):
        student.transfer.set_trainable(net, list(stages))
        assert info.trainable_names(net) == [n for n in params if want_stage(n) in stages], (
            f"set_trainable({stages}): requires_grad exactly for those stages")
        student.transfer.train_mode(net, list(stages))
        flags = info.training_flags(net)
        for name in {n.rsplit(".", 1)[0] for n in names}:
            assert flags[name] == (want_stage(name) in stages), (
                f"train_mode({stages}): {name} is in the wrong mode")
        assert flags[""], "the model itself is in train mode"
    with pytest.raises(StudentError) as err:
        student.transfer.set_trainable(net, ["head"])
    assert err.value.type_name == "ValueError", "an unknown stage: ValueError"


@part("transfer")
@points(2)
def test_param_groups(student, device):
    """param_groups: one group per stage in STAGES order, each with its parameters (frozen
    ones too) and lr * decay ** (5 - i)."""
    net = model_in_sandbox(student, device)
    student.lib("dnn.modelinfo").freeze(net, ["conv1"])
    ref = backbone.small_resnet(10)
    groups = student.transfer.param_groups(net, 0.01, 0.5)
    assert [g["stage"] for g in groups] == list(STAGES), "one group per stage, in order"
    for i, group in enumerate(groups):
        want = [p for n, p in ref.named_parameters() if want_stage(n) == STAGES[i]]
        assert [tuple(p.shape) for p in group["params"]] == [tuple(p.shape) for p in want], (
            f"group {STAGES[i]}: its parameters, in named_parameters() order")
        assert abs(group["lr"] - 0.01 * 0.5 ** (5 - i)) < 1e-12, f"lr of {STAGES[i]}"
    flat = student.transfer.param_groups(net, 0.003)
    assert all(abs(g["lr"] - 0.003) < 1e-12 for g in flat), "decay defaults to 1"


@part("transfer")
@points(2)
def test_unfrozen_stages(student):
    """unfrozen_stages: fc alone first, one more stage every unfreeze_every epochs, all six at
    the end; ValueError for unfreeze_every < 1 or a negative epoch."""
    for every in (1, 2, 3):
        for epoch in range(20):
            count = min(6, 1 + epoch // every)
            got = tuple(student.transfer.unfrozen_stages(epoch, every))
            assert got == STAGES[6 - count:], f"epoch {epoch}, every {every}: wrong stages"
    for bad in ((0, 0), (-1, 2)):
        with pytest.raises(StudentError) as err:
            student.transfer.unfrozen_stages(*bad)
        assert err.value.type_name == "ValueError", f"unfrozen_stages{bad}: ValueError"


@part("transfer")
@points(2)
def test_extract_features_and_predict(student, rng, device):
    """extract_features gives the pooled layer4 features in eval mode, in batches, restoring
    the training flags; predict gives the int64 argmax of the eval-mode logits."""
    net = model_in_sandbox(student, device, seed=3)
    net.train()
    ref = backbone.small_resnet(10)
    ref.load_state_dict({k: v.cpu() for k, v in net.state_dict().items()})
    ref.to(device).eval()
    x, _ = random_batch(rng, 20, device)
    got = student.transfer.extract_features(net, x, batch_size=7)
    with torch.no_grad():
        h = ref.maxpool(ref.relu(ref.bn1(ref.conv1(x))))
        want = torch.flatten(ref.avgpool(ref.layer4(ref.layer3(ref.layer2(ref.layer1(h))))), 1)
    assert tuple(got.shape) == (20, 128), "features are (N, C)"
    assert_close(got, want, rtol=1e-4, atol=1e-5, name="features")
    assert net.training, "extract_features restores the training flags"
    pred = student.transfer.predict(net, x, batch_size=6)
    assert isinstance(pred, np.ndarray) and pred.dtype == np.int64, "predict: int64 array"
    with torch.no_grad():
        assert np.array_equal(pred, ref(x).argmax(1).cpu().numpy()), "predict: argmax, eval"


def changed(before: dict, after: dict) -> set[str]:
    return {k for k in before if not torch.equal(before[k].cpu(), after[k].cpu())}


@part("transfer")
@points(3)
def test_fit_linear_freezes_the_backbone(student, rng, device):
    """fit(regime="linear") trains fc only: every other parameter AND every batch-norm running
    statistic stays exactly as it was; fc changes; the model comes back in eval mode."""
    net = model_in_sandbox(student, device, seed=4)
    before = net.state_dict()
    x, y = random_batch(rng, 40, device)
    out = student.transfer.fit(net, x, y, regime="linear", epochs=2, lr=1e-2, batch_size=16)
    after = net.state_dict()
    moved = changed(before, after)
    frozen = sorted(k for k in moved if not k.startswith("fc."))
    assert not frozen, f"frozen tensors changed, e.g. {frozen[0]}"
    assert {"fc.weight", "fc.bias"} <= moved, "the head must train"
    assert not out.training, "fit returns the model in eval mode"


@part("transfer")
@points(2)
def test_fit_gradual_unfreezes_on_schedule(student, rng, device):
    """fit(regime="gradual", epochs=4, unfreeze_every=2): fc trains from the start, layer4
    from epoch 2 (its running statistics move too), layer3 and below never change."""
    net = model_in_sandbox(student, device, seed=5)
    before = net.state_dict()
    x, y = random_batch(rng, 24, device)
    student.transfer.fit(net, x, y, regime="gradual", epochs=4, unfreeze_every=2,
                         batch_size=12, lr=1e-2)
    moved = changed(before, net.state_dict())
    stages = {want_stage(k) for k in moved}
    assert stages == {"fc", "layer4"}, f"stages that changed: {sorted(stages)}"
    assert "layer4.0.bn1.running_mean" in moved, "unfrozen BN updates its statistics"


@part("transfer")
@points(2)
def test_fit_follows_the_recipe(student, reference, rng, device):
    """fit(regime="finetune") follows the recipe (torch.manual_seed, AdamW over param_groups
    with weight decay 1e-4, a torch.Generator shuffle seeded seed + epoch, every example once
    per epoch with the last partial batch, cross-entropy): the weights match the recipe's run
    here; the same seed gives the same weights; an unknown regime is a ValueError."""
    x, y = random_batch(rng, 21, device)
    kw = dict(regime="finetune", epochs=2, batch_size=8, lr=3e-3, decay=0.5, seed=3)
    net = model_in_sandbox(student, device, seed=6)
    ref = backbone.small_resnet(10)
    ref.load_state_dict({k: v.cpu() for k, v in net.state_dict().items()})
    ref.to(device)
    student.transfer.fit(net, x, y, **kw)
    reference.transfer.fit(ref, x, y, **kw)
    got = net.state_dict()
    for key, value in ref.state_dict().items():
        if value.is_floating_point():
            assert_close(got[key], value, rtol=1e-3, atol=1e-4, name=key)
        else:
            assert torch.equal(got[key].cpu(), value.cpu()), f"{key}: every batch once"
    again = model_in_sandbox(student, device, seed=6)
    student.transfer.fit(again, x, y, **kw)
    assert not changed(got, again.state_dict()), "the same seed must give the same weights"
    with pytest.raises(StudentError) as err:
        student.transfer.fit(again, x, y, regime="frozen")
    assert err.value.type_name == "ValueError", "an unknown regime: ValueError"


def few_labels(k: int, seed: int = 0):
    """k training digits per class (backbone inputs and labels) and the test split."""
    data = load_digits(seed=0, flatten=False)
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(data["train"].y == c), k, replace=False)
                          for c in range(10)])
    return (backbone.digits_for_backbone(data["train"].x[idx]), data["train"].y[idx],
            backbone.digits_for_backbone(data["test"].x), data["test"].y)


def transfer_accuracy(student, device, x, y, x_test, y_test, *, pretrained: bool, seed: int,
                      **kw) -> float:
    net = student.lib("dnn.backbone").small_resnet(64, seed)
    if pretrained:
        net.load_state_dict(backbone.load_state())
    student.transfer.replace_head(net, 10, seed)
    net.to(device)
    student.transfer.fit(net, x, y, epochs=20, batch_size=16, seed=seed, **kw)
    pred = student.transfer.predict(net, x_test)  # the test labels stay here
    assert isinstance(pred, np.ndarray) and pred.shape == y_test.shape, "one label per image"
    return float(np.mean(pred == y_test))


@part("transfer")
@points(3)
def test_pretraining_beats_scratch_with_five_labels(student, device):
    """With 5 labelled digits per class and the same budget (20 epochs, batches of 16, seeds 0
    and 1), the course-pretrained backbone beats the same network trained from scratch (finetune,
    decay 1) on the held-out digits: feature extraction (linear, lr 0.1) by >= 12 points and
    fine-tuning (lr 3e-3, decay 0.5) by >= 25 points, on average over the seeds (the solution:
    scratch about 20%, linear about 44%, fine-tuning about 78%)."""
    x, y, x_test, y_test = few_labels(5)
    mean = {}
    for name, pretrained, kw in (("scratch", False, dict(regime="finetune", decay=1.0)),
                                 ("linear", True, dict(regime="linear", lr=0.1)),
                                 ("finetune", True, dict(regime="finetune", decay=0.5))):
        mean[name] = np.mean([transfer_accuracy(student, device, x, y, x_test, y_test,
                                                pretrained=pretrained, seed=seed, **kw)
                              for seed in (0, 1)])
    assert mean["linear"] >= mean["scratch"] + 0.12, (
        f"feature extraction {mean['linear']:.3f} vs scratch {mean['scratch']:.3f}: not 12 "
        "points better")
    assert mean["finetune"] >= mean["scratch"] + 0.25, (
        f"fine-tuning {mean['finetune']:.3f} vs scratch {mean['scratch']:.3f}: not 25 points "
        "better")
