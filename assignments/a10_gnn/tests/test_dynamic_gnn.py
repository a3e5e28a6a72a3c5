"""The GRU cell and next-label prediction on a dynamic graph."""

import torch
from dynamic_gnn import GRUCell, predict_next_labels, train_next_label

from dnn.graphs import dynamic_communities


def test_gru_cell_matches_torch() -> None:
    torch.manual_seed(0)
    ref = torch.nn.GRUCell(3, 4)
    cell = GRUCell(3, 4)
    cell.load_state_dict(ref.state_dict())
    x, h = torch.randn(5, 3), torch.randn(5, 4)
    torch.testing.assert_close(cell(x, h), ref(x, h))


def test_recurrent_model_beats_static() -> None:
    snaps = dynamic_communities(120, 3, 12, seed=3)
    xs, edges, ys = [s.x for s in snaps], [s.edge_index for s in snaps], [s.y for s in snaps]
    target = torch.stack(ys[9:12])
    accs = {}
    for kind in ("static", "recurrent"):
        model = train_next_label(kind, xs[:9], edges[:9], ys[:9], epochs=60, seed=0)
        pred = predict_next_labels(model, xs[:11], edges[:11])
        accs[kind] = (pred[8:11] == target).float().mean().item()
    assert accs["recurrent"] > 0.8 and accs["recurrent"] > accs["static"] + 0.2, accs
