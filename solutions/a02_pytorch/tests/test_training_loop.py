"""A short run learns; a checkpointed run resumes exactly; the device is respected."""

import pytest
import torch
from lr_schedule import lr_factor
from training_loop import Trainer

from dnn.data import load_digits

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def make_trainer(device: str = "cpu", augment: bool = True) -> Trainer:
    data = load_digits(seed=0)
    return Trainer(data["train"].x, data["train"].y, data["val"].x, data["val"].y,
                   hidden=(32,), dropout=0.1, augment=augment, max_epochs=6, seed=0, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_short_run_learns(device: str) -> None:
    trainer = make_trainer(device, augment=False)
    history = trainer.fit()
    assert len(history["val_loss"]) == 6 and history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > 0.8
    assert all(p.device.type == device for p in trainer.model.parameters())


def test_resume_is_bit_identical(tmp_path) -> None:
    full = make_trainer()
    full.fit()
    half = make_trainer()
    half.fit(epochs=3)
    half.save(tmp_path / "ckpt.pt")
    resumed = make_trainer()
    resumed.load(tmp_path / "ckpt.pt")
    resumed.fit()
    for name, value in full.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name
    assert resumed.history == full.history


def test_fit_continues_and_records_each_epochs_lr() -> None:
    trainer = make_trainer(augment=False)
    trainer.fit(2)
    history = trainer.fit(2)
    assert len(history["val_loss"]) == 4, "fit(2) twice trains 4 epochs"
    factors = [lr_factor(e, warmup_epochs=2, total_epochs=6, min_factor=0.01) for e in range(4)]
    assert history["lr"] == pytest.approx([0.1 * f for f in factors])
