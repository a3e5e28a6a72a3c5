"""Graded: batching graphs, global pooling and classifying graphs by a structural property
(part "graph_level", 13 points)."""

import numpy as np
import torch
from torch_geometric.nn import SAGEConv, global_add_pool, global_max_pool, global_mean_pool

from autograder.testing import assert_close, part, points
from dnn.graphs import cycle_graphs


@part("graph_level")
@points(2)
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
@points(3)
def test_global_pooling(student, rng):
    """global_add_pool, global_mean_pool and global_max_pool equal PyG's, for unsorted
    batch vectors, negative features and a graph of a single node."""
    x = torch.from_numpy(rng.standard_normal((30, 4)) - 2.0)
    batch = torch.from_numpy(rng.permutation(torch.arange(29).numpy() % 6))
    batch = torch.cat([batch, torch.tensor([6])])[torch.from_numpy(rng.permutation(30))]
    gc = student.graph_classifier
    for name, ref in (("global_add_pool", global_add_pool), ("global_mean_pool", global_mean_pool),
                      ("global_max_pool", global_max_pool)):
        got = getattr(gc, name)(x, batch, 7)
        assert_close(got, ref(x, batch, 7), rtol=1e-12, atol=1e-12, name=name)


@part("graph_level")
@points(2)
def test_graph_classifier_forward(student, rng):
    """GraphClassifier.forward is SAGEConv -> ReLU -> SAGEConv -> ReLU, the readout [sum pool,
    max pool] of every graph, then Linear -> ReLU -> Linear (PyG and torch with copied weights,
    float64), on a collated batch of graphs."""
    generator = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    conv1, conv2 = SAGEConv(3, 5).double(), SAGEConv(5, 5).double()
    head = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    head = head.double()
    with torch.no_grad():
        for p in [*conv1.parameters(), *conv2.parameters(), *head.parameters()]:
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.6)
    state = {f"head.{k}": v.detach() for k, v in head.state_dict().items()}
    for name, conv in (("conv1", conv1), ("conv2", conv2)):
        state.update({f"{name}.lin_neigh.weight": conv.lin_l.weight.detach(),
                      f"{name}.lin_neigh.bias": conv.lin_l.bias.detach(),
                      f"{name}.lin_self.weight": conv.lin_r.weight.detach()})
    model = student.graph_classifier.GraphClassifier(3, 5, 2)
    model.double()
    model.load_state_dict(state)
    graphs = cycle_graphs(4, seed=int(rng.integers(1000)))
    x = torch.cat([torch.from_numpy(rng.standard_normal((g.num_nodes, 3))) for g in graphs])
    sizes = torch.tensor([g.num_nodes for g in graphs])
    offsets = torch.cumsum(sizes, 0) - sizes
    ei = torch.cat([g.edge_index + int(o) for g, o in zip(graphs, offsets, strict=True)], dim=1)
    batch = torch.repeat_interleave(torch.arange(4), sizes)
    h = torch.relu(conv2(torch.relu(conv1(x, ei)), ei))
    want = head(torch.cat([global_add_pool(h, batch, 4), global_max_pool(h, batch, 4)], dim=1))
    assert_close(model(x, ei, batch, 4), want.detach(), rtol=1e-10, atol=1e-12,
                 name="GraphClassifier logits")


@part("graph_level")
@points(2)
def test_train_graph_classifier_recipe(student, reference, rng):
    """train_graph_classifier follows its docstring: torch.manual_seed(seed), GraphClassifier(F,
    hidden, max label + 1), every epoch the order torch.randperm(G) in batches of batch_size
    (the last one shorter), Adam on the cross-entropy: the same weights after 2 epochs of 10
    graphs in batches of 4 (and after 1 epoch of a single graph) as that recipe, the model in
    eval mode."""
    graphs = cycle_graphs(10, seed=5)
    # continuous features: no ties in the max readout, whose gradient at a tie is a free choice
    xs = [torch.from_numpy(rng.standard_normal((g.num_nodes, 3)).astype(np.float32))
          for g in graphs]
    edges = [g.edge_index for g in graphs]
    labels = torch.stack([g.y for g in graphs])
    for count, epochs in ((10, 2), (1, 1)):
        kw = {"hidden": 6, "epochs": epochs, "batch_size": 4, "lr": 0.05, "seed": 3}
        args = (xs[:count], edges[:count], labels[:count])
        model = student.graph_classifier.train_graph_classifier(*args, **kw)
        want = reference.graph_classifier.train_graph_classifier(*args, **kw)
        assert model.training is False, "train_graph_classifier returns the model in eval mode"
        state = model.state_dict()
        for key, value in want.state_dict().items():
            assert key in state, f"the GraphClassifier has no parameter {key}"
            assert_close(state[key], value, rtol=1e-4, atol=1e-5,
                         name=f"trained {key} ({count} graphs)")


@part("graph_level")
@points(4)
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
