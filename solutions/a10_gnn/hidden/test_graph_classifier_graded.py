"""Graded: batching graphs, global pooling and classifying graphs by a structural property
(part "graph_level", 13 points)."""

import torch
from torch_geometric.nn import global_add_pool, global_max_pool, global_mean_pool

from autograder.testing import assert_close, part, points
from dnn.graphs import cycle_graphs


@part("graph_level")
@points(3)
def test_collate(student):
    """collate stacks the features, shifts each graph's edges by the nodes before it and
    returns the graph index of every node."""
    graphs = cycle_graphs(5, seed=11)
    x, edge_index, batch = student.graph_classifier.collate(
        [g.x for g in graphs], [g.edge_index for g in graphs])
    sizes = [g.num_nodes for g in graphs]
    offsets = [sum(sizes[:i]) for i in range(5)]
    assert torch.equal(x, torch.cat([g.x for g in graphs])), "x: the graphs' features stacked"
    want = torch.cat([g.edge_index + o for g, o in zip(graphs, offsets, strict=True)], dim=1)
    assert torch.equal(edge_index, want), "edge_index: each graph's edges shifted, in order"
    assert torch.equal(batch, torch.repeat_interleave(torch.arange(5), torch.tensor(sizes))), (
        "batch[n] must be the index of node n's graph"
    )


@part("graph_level")
@points(4)
def test_global_pooling(student, rng):
    """global_add_pool, global_mean_pool and global_max_pool equal PyG's, for unsorted
    batch vectors and negative features."""
    x = torch.from_numpy(rng.standard_normal((30, 4)) - 2.0)
    batch = torch.from_numpy(rng.permutation(torch.arange(30).numpy() % 6))
    gc = student.graph_classifier
    for name, ref in (("global_add_pool", global_add_pool), ("global_mean_pool", global_mean_pool),
                      ("global_max_pool", global_max_pool)):
        got = getattr(gc, name)(x, batch, 6)
        assert_close(got, ref(x, batch, 6), rtol=1e-12, atol=1e-12, name=name)


@part("graph_level")
@points(6)
def test_cycle_detection_accuracy(student):
    """Trained on 200 graphs (trees versus a tree plus a separate cycle, same numbers of nodes
    and edges), the classifier labels >= 85% of 100 new graphs correctly (the solution: 97%)."""
    train, test = cycle_graphs(200, seed=31), cycle_graphs(100, seed=32)
    gc = student.graph_classifier
    model = gc.train_graph_classifier([g.x for g in train], [g.edge_index for g in train],
                                      torch.stack([g.y for g in train]), hidden=32, epochs=20,
                                      batch_size=32, lr=0.01, seed=0)
    pred = gc.predict_graphs(model, [g.x for g in test], [g.edge_index for g in test])
    assert isinstance(pred, torch.Tensor) and pred.shape == (100,), "one label per graph"
    acc = (pred == torch.stack([g.y for g in test])).double().mean().item()
    assert acc >= 0.85, f"test accuracy {acc:.2f} is below 0.85"
