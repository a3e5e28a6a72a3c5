"""Graded: the two-layer GCN and semi-supervised node classification on Zachary's karate club
and a planted-partition graph (part "node_classification", 12 points). Labels of the nodes a
model is scored on never leave this process: the sandbox sees -1 in their place."""

import torch
from torch_geometric.nn import GCNConv

from autograder.testing import assert_close, part, points
from dnn.graphs import load_karate_club, node_split, planted_partition


def hide_labels(y: torch.Tensor, train_mask: torch.Tensor) -> torch.Tensor:
    return torch.where(train_mask, y, torch.full_like(y, -1))


@part("node_classification")
@points(3)
def test_gcn_model_forward(student, rng):
    """GCN.forward in eval mode is GCNConv -> ReLU -> GCNConv with copied weights (no dropout);
    predict_nodes returns the argmax classes in eval mode, also for a model left in train
    mode."""
    conv1, conv2 = GCNConv(6, 8).double(), GCNConv(8, 3).double()
    generator = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    with torch.no_grad():
        for p in [*conv1.parameters(), *conv2.parameters()]:
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype))
    model = student.node_classification.GCN(6, 8, 3, dropout=0.9)  # eval: no dropout at all
    model.double()
    model.load_state_dict({"conv1.lin.weight": conv1.lin.weight.detach(),
                           "conv1.bias": conv1.bias.detach(),
                           "conv2.lin.weight": conv2.lin.weight.detach(),
                           "conv2.bias": conv2.bias.detach()})
    model.eval()
    graph = planted_partition(30, 3, p_in=0.3, p_out=0.05, seed=int(rng.integers(1000)))
    x = torch.from_numpy(rng.standard_normal((30, 6)))
    want = conv2(torch.relu(conv1(x, graph.edge_index)), graph.edge_index).detach()
    assert_close(model(x, graph.edge_index), want, rtol=1e-10, atol=1e-12, name="GCN logits")
    model.train()  # predict_nodes switches to eval mode itself: no dropout in predictions
    for call in range(3):
        pred = student.node_classification.predict_nodes(model, x, graph.edge_index)
        assert isinstance(pred, torch.Tensor) and pred.dtype == torch.int64, "int64 classes"
        assert torch.equal(pred, want.argmax(dim=1)), (
            f"predict_nodes (call {call + 1}, model given in train mode) must return the argmax "
            "classes of the eval-mode logits")


@part("node_classification")
@points(2)
def test_train_node_classifier_recipe(student, reference, rng):
    """train_node_classifier follows its docstring: torch.manual_seed(seed), GCN(F_in, hidden,
    max label + 1), full-batch Adam(lr, weight_decay) on the cross-entropy of the train_mask
    nodes only (the others carry -1): the same weights after 5 epochs (dropout 0) as that
    recipe, and the model comes back in eval mode."""
    graph = planted_partition(40, 3, p_in=0.3, p_out=0.05, seed=int(rng.integers(1000)))
    masks = node_split(graph.y, train_per_class=4, seed=int(rng.integers(1000)))
    y = hide_labels(graph.y, masks["train"])
    kw = {"hidden": 8, "epochs": 5, "lr": 0.05, "weight_decay": 5e-3, "dropout": 0.0,
          "seed": int(rng.integers(1, 50))}
    model = student.node_classification.train_node_classifier(
        graph.x, graph.edge_index, y, masks["train"], **kw)
    want = reference.node_classification.train_node_classifier(
        graph.x, graph.edge_index, y, masks["train"], **kw)
    assert model.training is False, "train_node_classifier returns the model in eval mode"
    state = model.state_dict()
    for key, value in want.state_dict().items():
        assert key in state, f"the GCN has no parameter {key}"
        assert_close(state[key], value, rtol=1e-4, atol=1e-5, name=f"trained {key}")


@part("node_classification")
@points(3)
def test_karate_club(student):
    """Trained on one labelled member per community (PyG's train_mask: nodes 0, 4, 8, 24),
    the GCN labels >= 65% of the other 30 members correctly (the solution: about 77%)."""
    graph = load_karate_club()
    train_mask = torch.zeros(34, dtype=torch.bool)
    train_mask[[0, 4, 8, 24]] = True
    nc = student.node_classification
    model = nc.train_node_classifier(graph.x, graph.edge_index, hide_labels(graph.y, train_mask),
                                     train_mask, hidden=16, epochs=200, lr=0.01, seed=0)
    pred = nc.predict_nodes(model, graph.x, graph.edge_index)
    assert isinstance(pred, torch.Tensor) and pred.shape == (34,), "one label per node"
    acc = (pred[~train_mask] == graph.y[~train_mask]).double().mean().item()
    assert acc >= 0.65, f"accuracy on the unlabelled members {acc:.2f} is below 0.65"


@part("node_classification")
@points(4)
def test_planted_partition(student):
    """On a 4-block planted-partition graph with weak features (10 labels per block), the GCN
    reaches >= 75% test accuracy (the solution: about 90%; features alone: about 40%)."""
    nc = student.node_classification
    accs = []
    for seed in (3, 4):
        graph = planted_partition(200, 4, p_in=0.1, p_out=0.01, seed=seed)
        masks = node_split(graph.y, train_per_class=10, seed=seed)
        model = nc.train_node_classifier(graph.x, graph.edge_index,
                                         hide_labels(graph.y, masks["train"]), masks["train"],
                                         hidden=16, epochs=100, lr=0.01, seed=seed)
        pred = nc.predict_nodes(model, graph.x, graph.edge_index)
        test = masks["test"]
        accs.append((pred[test] == graph.y[test]).double().mean().item())
    assert min(accs) >= 0.75, f"test accuracies {[round(a, 2) for a in accs]}: need >= 0.75"
