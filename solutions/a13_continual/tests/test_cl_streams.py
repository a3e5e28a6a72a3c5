"""The streams' shapes and classes, and task-incremental masking."""

import torch
from cl_streams import mask_logits, permuted_digits, split_digits


def test_split_digits_covers_every_class_once() -> None:
    stream = split_digits(5)
    classes = torch.cat([e["classes"] for e in stream])
    assert sorted(classes.tolist()) == list(range(10))
    for e in stream:
        assert torch.isin(e["y_train"], e["classes"]).all()
        assert e["x_train"].shape[1] == 64 and e["x_train"].dtype == torch.float32
    assert sum(len(e["y_train"]) + len(e["y_test"]) for e in stream) == 1797


def test_permuted_digits_first_is_identity() -> None:
    stream = permuted_digits(2)
    assert stream[0]["permutation"].tolist() == list(range(64))
    perm = stream[1]["permutation"]
    torch.testing.assert_close(stream[1]["x_train"], stream[0]["x_train"][:, perm])


def test_mask_logits() -> None:
    out = mask_logits(torch.zeros(2, 4), torch.tensor([1, 3]))
    assert torch.isinf(out[:, [0, 2]]).all() and (out[:, [1, 3]] == 0).all()
