"""Graded: the course-pretrained ResNet (a04's glyph backbone) on held-out glyph classes: the
loaded backbone with a new head, freezing across a training step, discriminative parameter
groups, warm-up schedules against transformers', the fine-tuning recipe and the benefit of
pretraining over training from scratch with five labels per class (part "resnet")."""

import math
from functools import cache

import numpy as np
import pytest
import torch
from transformers.optimization import (
    get_cosine_schedule_with_warmup,
    get_linear_schedule_with_warmup,
)

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn import glyph_resnet
from dnn.glyphs import make_glyphs

SCHEDULES = {"linear": get_linear_schedule_with_warmup, "cosine": get_cosine_schedule_with_warmup}


@cache
def pretrained_state():
    return glyph_resnet.load_state()


def head_name(name: str) -> bool:
    return name.startswith("fc.")


def sandbox_net(student, device, seed, classes=10):
    net = student.lib("dnn.glyph_resnet").small_resnet(classes, seed)
    net.to(device)
    return net


def images(rng, n, device):
    return torch.from_numpy(rng.standard_normal((n, 3, 32, 32))).float().to(device)


def transformers_lrs(decay, base_lrs, warmup, total):
    """The learning rates of every group after 0..total steps of transformers' schedule."""
    opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                           for lr in base_lrs])
    sched = SCHEDULES[decay](opt, warmup, total)
    lrs = [list(sched.get_last_lr())]
    for _ in range(total):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
    return lrs


@part("resnet")
@points(2)
def test_new_head_model_loads_the_backbone(student, rng):
    """new_head_model: every backbone tensor exactly the checkpoint's, a new fc Linear(128, C)
    drawn right after torch.manual_seed(seed), train mode, all trainable, the state unmodified;
    a state with a missing or an extra key is rejected (strict loading); num_classes < 1 is a
    ValueError."""
    state = pretrained_state()
    seed, classes = int(rng.integers(1000)), int(rng.integers(2, 12))
    call = watch_call(student.resnet_transfer.new_head_model, state, classes, seed=seed)
    assert not call.changed, "new_head_model modified the state it was given"
    net = call.result
    got = net.state_dict()
    assert set(got) == set(state), "the model should have the backbone's state_dict keys"
    for key, value in state.items():
        if not head_name(key):
            assert torch.equal(got[key].cpu(), value), f"{key} is not the checkpoint's"
    torch.manual_seed(seed)
    head = torch.nn.Linear(128, classes)
    assert tuple(got["fc.weight"].shape) == (classes, 128), "the new head is Linear(128, C)"
    assert_close(got["fc.weight"], head.weight.detach(), rtol=0, atol=1e-7, name="fc.weight")
    assert_close(got["fc.bias"], head.bias.detach(), rtol=0, atol=1e-7, name="fc.bias")
    info = student.lib("dnn.modelinfo")
    assert all(info.training_flags(net).values()), "the model should be in train mode"
    every = [name for name, _ in glyph_resnet.small_resnet(3).named_parameters()]
    assert info.trainable_names(net) == every, "every parameter should be trainable"
    again = student.resnet_transfer.new_head_model(state, classes, seed=seed).state_dict()
    assert torch.equal(again["fc.weight"], got["fc.weight"]), "the same seed, the same head"
    missing = {k: v for k, v in state.items() if k != "layer2.0.bn1.running_var"}
    extra = {**state, "layer5.weight": torch.zeros(3)}
    for bad in (missing, extra):
        with pytest.raises(StudentError) as err:
            student.resnet_transfer.new_head_model(bad, classes)
        assert err.value.type_name == "RuntimeError", "load the state strictly"
    with pytest.raises(StudentError) as err:
        student.resnet_transfer.new_head_model(state, 0)
    assert err.value.type_name == "ValueError", "num_classes 0: ValueError"


@part("resnet")
@points(2)
def test_freeze_backbone_across_a_training_step(student, rng, device):
    """freeze_backbone: only fc trainable, backbone modules in eval mode (model and fc in train
    mode), also after model.train() and freezing again; a train-mode forward, backward and
    AdamW step then change fc only: every backbone weight, BatchNorm running statistic and
    num_batches_tracked stays exactly as it was, and the logits are the eval-mode network's."""
    net = sandbox_net(student, device, int(rng.integers(1000)))
    info = student.lib("dnn.modelinfo")
    ref = glyph_resnet.small_resnet(10)
    ref.load_state_dict({k: v.cpu() for k, v in net.state_dict().items()})
    ref.to(device).eval()
    names = [n for n, _ in ref.named_parameters()]
    for _ in range(2):
        net.train()
        out = student.resnet_transfer.freeze_backbone(net)
        assert info.trainable_names(out) == [n for n in names if head_name(n)], \
            "only fc's parameters should be trainable"
        flags = info.training_flags(net)
        wrong = sorted(n for n, flag in flags.items() if flag != (n in ("", "fc")))
        assert not wrong, f"{wrong[0] or 'the model'} is in the wrong mode"
    before = net.state_dict()
    x = images(rng, 12, device)
    upstream = torch.from_numpy(rng.standard_normal((12, 10))).float().to(device)
    grads = student.lib("dnn.autograd").gradients(net, [x], upstream)
    assert set(grads) == {"input0", "fc.weight", "fc.bias"}, "only fc should get gradients"
    opt = student.lib("dnn.autograd").torch.optim.AdamW(net.parameters(), lr=0.1)
    opt.step()
    after = net.state_dict()
    moved = sorted(k for k in before if not torch.equal(before[k].cpu(), after[k].cpu()))
    assert moved == ["fc.bias", "fc.weight"], \
        f"a training step changed {[k for k in moved if not head_name(k)][:1] or 'not fc'}"
    with torch.no_grad():
        ref.fc.load_state_dict({"weight": after["fc.weight"], "bias": after["fc.bias"]})
        want = ref(x)
    assert_close(net(x), want, rtol=1e-4, atol=1e-5, name="frozen logits (running statistics)")


@part("resnet")
@points(2)
def test_param_groups_and_make_optimizer(student, rng, device):
    """param_groups: "backbone" then "head" groups holding the non-fc and the fc parameters in
    named_parameters() order (frozen ones too), with their rates; ValueError unless
    0 <= backbone_lr <= head_lr and head_lr > 0. make_optimizer: one AdamW step over them
    matches torch.optim.AdamW with those groups and that weight decay."""
    seed = int(rng.integers(1000))
    net = sandbox_net(student, device, seed)
    student.lib("dnn.modelinfo").freeze(net, ["conv1", "layer1"])
    ref = glyph_resnet.small_resnet(10, seed)
    groups = student.resnet_transfer.param_groups(net, 1e-4, 3e-2)
    assert [g["name"] for g in groups] == ["backbone", "head"], "groups backbone, then head"
    assert [g["lr"] for g in groups] == [1e-4, 3e-2], "the groups' learning rates"
    for group, fc in zip(groups, (False, True), strict=True):
        want = [p for n, p in ref.named_parameters() if head_name(n) == fc]
        assert len(group["params"]) == len(want), f"{group['name']}: wrong parameters"
        for got_p, want_p in zip(group["params"], want, strict=True):
            assert got_p.shape == want_p.shape and torch.equal(got_p.cpu(), want_p.detach()), \
                f"{group['name']}: its parameters, in named_parameters() order"
    for bad in ((1e-2, 1e-3), (-1e-4, 1e-2), (0.0, 0.0)):
        with pytest.raises(StudentError) as err:
            student.resnet_transfer.param_groups(net, *bad)
        assert err.value.type_name == "ValueError", f"param_groups{bad}: ValueError"
    student.resnet_transfer.param_groups(net, 0.0, 1e-3)  # a frozen-rate backbone is allowed
    net = sandbox_net(student, device, seed)
    opt = student.resnet_transfer.make_optimizer(net, 1e-3, 5e-2, weight_decay=0.05)
    x, up = images(rng, 6, device), torch.from_numpy(rng.standard_normal((6, 10))).float()
    student.lib("dnn.autograd").gradients(net, [x], up.to(device))
    opt.step()
    ref.to(device)
    ref_opt = torch.optim.AdamW([{"params": [p for n, p in ref.named_parameters()
                                             if not head_name(n)], "lr": 1e-3},
                                 {"params": ref.fc.parameters(), "lr": 5e-2}], weight_decay=0.05)
    (ref(x) * up.to(device)).sum().backward()
    ref_opt.step()
    got = net.state_dict()
    for key, value in ref.state_dict().items():
        assert_close(got[key].double(), value.detach().double(), rtol=1e-4, atol=1e-6, name=key)


@part("resnet")
@points(2)
def test_warmup_multiplier_matches_transformers(student, rng):
    """warmup_multiplier equals transformers' linear and cosine warm-up schedules at every step
    0..S (rate 0 first, the peak at s = W, 0 at s = S), for no warm-up, one step, S = 1 and
    random W < S; it rejects an unknown decay, S < 1, W outside 0..S-1 and steps outside
    0..S with ValueError."""
    cases = [(0, 1), (0, 6), (1, 2), (4, 5), (3, 11)]
    total = int(rng.integers(20, 60))
    cases.append((int(rng.integers(1, total)), total))
    for decay in ("linear", "cosine"):
        for warmup, total in cases:
            want = [lr[0] for lr in transformers_lrs(decay, [1.0], warmup, total)]
            got = [student.resnet_transfer.warmup_multiplier(s, warmup, total, decay)
                   for s in range(total + 1)]
            bad = [s for s in range(total + 1) if not math.isclose(got[s], want[s],
                                                                   rel_tol=1e-9, abs_tol=1e-12)]
            assert not bad, f"{decay}, W={warmup}, S={total}: wrong at step {bad[0]}"
    for args in ((0, 2, 10, "step"), (0, 0, 0, "linear"), (0, 5, 5, "cosine"),
                 (0, -1, 5, "linear"), (-1, 2, 5, "cosine"), (6, 2, 5, "linear")):
        with pytest.raises(StudentError) as err:
            student.resnet_transfer.warmup_multiplier(*args)
        assert err.value.type_name == "ValueError", f"warmup_multiplier{args}: ValueError"


@part("resnet")
@points(1)
def test_warmup_scheduler_matches_transformers(student, rng, device):
    """warmup_scheduler on an optimizer with two groups (lr 1e-3 and 2e-2): get_last_lr after
    every step 0..S equals transformers' scheduler for both decays; bad arguments raise
    ValueError when it is built."""
    torch_ = student.lib("dnn.autograd").torch
    net = sandbox_net(student, device, 0)
    total = int(rng.integers(12, 30))
    warmup = int(rng.integers(1, total // 2))
    for decay in ("linear", "cosine"):
        opt = torch_.optim.SGD([{"params": net.layer1.parameters(), "lr": 1e-3},
                                {"params": net.fc.parameters(), "lr": 2e-2}])
        sched = student.resnet_transfer.warmup_scheduler(opt, warmup, total, decay)
        want = transformers_lrs(decay, [1e-3, 2e-2], warmup, total)
        for step in range(total + 1):
            if step:
                opt.step()
                sched.step()
            got = list(sched.get_last_lr())
            assert np.allclose(got, want[step], rtol=1e-9, atol=1e-15), \
                f"{decay}: the groups' rates after {step} steps"
    opt = torch_.optim.SGD(net.fc.parameters(), lr=0.1)
    with pytest.raises(StudentError) as err:
        student.resnet_transfer.warmup_scheduler(opt, 8, 8, "cosine")
    assert err.value.type_name == "ValueError", "warmup_steps = total_steps: ValueError"


def changed(before, after):
    return sorted(k for k in before if not torch.equal(before[k].cpu(), after[k].cpu()))


@part("resnet")
@points(2)
def test_fine_tune_follows_the_recipe(student, reference, rng, device):
    """fine_tune (seeded, AdamW over the two groups, warm-up schedule stepped once per
    minibatch, the seed + epoch shuffle, the last partial batch, cross-entropy): the weights
    match the recipe's run from the same start; the same seed gives the same weights; with
    freeze=True every backbone tensor (running statistics and num_batches_tracked included)
    stays exactly as it was, the head trains, and the model comes back in eval mode."""
    x = images(rng, 22, device)
    y = torch.from_numpy(rng.integers(0, 10, 22)).to(device)
    kw = dict(epochs=2, batch_size=8, backbone_lr=2e-3, head_lr=2e-2, warmup_steps=2,
              decay="linear", seed=int(rng.integers(100)))
    seed = int(rng.integers(1000))
    net = sandbox_net(student, device, seed)
    ref = glyph_resnet.small_resnet(10)
    ref.load_state_dict({k: v.cpu() for k, v in net.state_dict().items()})
    ref.to(device)
    out = student.resnet_transfer.fine_tune(net, x, y, **kw)
    assert not out.training, "fine_tune returns the model in eval mode"
    reference.resnet_transfer.fine_tune(ref, x, y, **kw)
    got = net.state_dict()
    for key, value in ref.state_dict().items():
        if value.is_floating_point():
            assert_close(got[key], value, rtol=1e-3, atol=1e-4, name=key)
        else:
            assert torch.equal(got[key].cpu(), value.cpu()), f"{key}: every batch once"
    again = sandbox_net(student, device, seed)
    student.resnet_transfer.fine_tune(again, x, y, **kw)
    assert not changed(got, again.state_dict()), "the same seed must give the same weights"
    frozen = sandbox_net(student, device, seed)
    before = frozen.state_dict()
    out = student.resnet_transfer.fine_tune(frozen, x, y, freeze=True, **kw)
    assert not out.training, "fine_tune returns the model in eval mode"
    moved = changed(before, frozen.state_dict())
    assert moved == ["fc.bias", "fc.weight"], \
        f"freeze=True changed {[k for k in moved if not head_name(k)][:1] or 'not fc'}"


def glyphs_of(classes, n_per_class, seed):
    """n_per_class normalised images of each class, relabelled 0..C-1 in the order given."""
    x, y = make_glyphs(100 * n_per_class, num_classes=100, seed=seed)
    keep = np.isin(y, classes)
    relabel = np.full(100, -1)
    relabel[list(classes)] = np.arange(len(classes))
    return glyph_resnet.normalise(x[keep]), torch.from_numpy(relabel[y[keep]])


@cache
def glyph_task(classes):
    return glyphs_of(classes, 5, seed=3), glyphs_of(classes, 12, seed=4)


@part("resnet")
@points(2)
def test_pretrained_beats_scratch_on_heldout_glyphs(student, rng, device):
    """Ten held-out glyph classes (64-99), 5 labelled images each, 12 test images each, the
    same budget (fine_tune, 10 epochs, batches of 25, seeds 0 and 1): the pretrained backbone
    frozen (head lr 1e-2) and fine-tuned (backbone lr 1e-3, head 1e-2) both reach 0.75 test
    accuracy and beat the same network from scratch (both rates 3e-3) by 25 points on average
    (the solution: scratch 0.44-0.55, frozen 0.92-0.99, fine-tuned 0.91-0.99)."""
    classes = tuple(sorted(rng.choice(np.arange(64, 100), 10, replace=False).tolist()))
    (xtr, ytr), (xte, yte) = glyph_task(classes)
    xtr, ytr, xte = xtr.to(device), ytr.to(device), xte.to(device)
    acc = {"scratch": [], "frozen": [], "fine-tuned": []}
    for seed in (0, 1):
        for regime in acc:
            if regime == "scratch":
                net = sandbox_net(student, device, seed)
                kw = dict(backbone_lr=3e-3, head_lr=3e-3)
            else:
                net = student.resnet_transfer.new_head_model(pretrained_state(), 10, seed=seed)
                net.to(device)
                kw = dict(backbone_lr=1e-3, head_lr=1e-2, freeze=regime == "frozen")
            student.resnet_transfer.fine_tune(net, xtr, ytr, epochs=10, batch_size=25,
                                              warmup_steps=4, seed=seed, **kw)
            pred = net(xte).argmax(1).cpu()  # the test labels stay here
            acc[regime].append(float((pred == yte).double().mean()))
    mean = {k: float(np.mean(v)) for k, v in acc.items()}
    for regime in ("frozen", "fine-tuned"):
        assert mean[regime] >= 0.75, f"{regime} pretrained: test accuracy {mean[regime]:.2f}"
        assert mean[regime] >= mean["scratch"] + 0.25, (
            f"{regime} pretrained {mean[regime]:.2f} vs scratch {mean['scratch']:.2f}: not 25 "
            "points better")
