"""The memory transformer: shapes, causality inside the segment, and the memory's influence."""

import torch
from memory_transformer import MemoryTransformer


def test_shapes_and_memory_carried() -> None:
    torch.manual_seed(0)
    model = MemoryTransformer(9, n_mem=3, seg_len=6, d_model=16, n_head=2, n_layer=1)
    ids = torch.randint(0, 9, (2, 6))
    logits, mem = model(ids)
    assert logits.shape == (2, 6, 9) and mem.shape == (2, 3, 16)
    assert mem.requires_grad                           # not detached
    logits2, _ = model(ids, mem)
    assert not torch.allclose(logits2, logits)         # the memory is read
    ids2 = ids.clone()
    ids2[:, 4:] = (ids2[:, 4:] + 1) % 9                # the future of positions 0..3
    torch.testing.assert_close(model(ids2, mem)[0][:, :4], logits2[:, :4])
    assert not torch.allclose(model(ids2, mem)[1], model(ids, mem)[1])   # written after
