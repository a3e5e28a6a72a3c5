"""Training a multi-layer perceptron classifier with minibatch gradient descent."""

import numpy as np
from activations import ReLU
from layers import Linear, Module, Sequential
from losses import softmax_cross_entropy
from optim import SGD, Adam, AdamW, RMSProp
from regularization import Dropout

Optimizer = SGD | RMSProp | Adam | AdamW


def build_mlp(
    in_features: int,
    hidden: tuple[int, ...],
    out_features: int,
    *,
    dropout: float = 0.0,
    seed: int = 0,
) -> Sequential:
    """[Linear -> ReLU (-> Dropout if dropout > 0)] per hidden width, then Linear to the logits."""
    layers: list[Module] = []
    widths = (in_features, *hidden)
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        layers += [Linear(fan_in, fan_out, seed=seed + i, init="he"), ReLU()]
        if dropout > 0:
            layers.append(Dropout(dropout, seed=seed + i))
    layers.append(Linear(widths[-1], out_features, seed=seed + len(hidden), init="xavier"))
    return Sequential(*layers)


def make_optimizer(name: str, lr: float, weight_decay: float = 0.0) -> Optimizer:
    """One of "sgd", "momentum" (0.9), "nesterov" (0.9), "rmsprop", "adam" (L2), "adamw"."""
    if name == "sgd":
        return SGD(lr, weight_decay=weight_decay)
    if name in ("momentum", "nesterov"):
        return SGD(lr, momentum=0.9, nesterov=name == "nesterov", weight_decay=weight_decay)
    if name == "rmsprop":
        return RMSProp(lr)
    if name == "adam":
        return Adam(lr, weight_decay=weight_decay)
    if name == "adamw":
        return AdamW(lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}")


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    """The fraction of positions where pred == y, as a Python float in [0, 1]; pred, y: (N,)."""
    hits = np.count_nonzero(np.asarray(pred) == np.asarray(y))
    return hits / max(len(y), 1)


def predict(model: Module, x: np.ndarray) -> np.ndarray:
    """Class predictions: switch the model to evaluation mode, return argmax of the logits.

    Args:
        x: (N, D) inputs.

    Returns:
        (N,) integer labels.
    """
    model.eval()
    return np.argmax(model.forward(x), axis=-1).astype(np.int64)


def evaluate(model: Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean softmax cross-entropy, accuracy) of the model on (x, y), in evaluation mode."""
    model.eval()
    logits = model.forward(x)
    loss, _ = softmax_cross_entropy(logits, y)
    return float(loss), accuracy(np.argmax(logits, axis=1), y)


def train_epoch(
    model: Module, optimizer: Optimizer, x: np.ndarray, y: np.ndarray, *, batch_size: int, seed: int
) -> float:
    """One pass over (x, y) in shuffled minibatches, in training mode.

    Shuffle with ``np.random.default_rng(seed).permutation(N)``; for each minibatch of at most
    batch_size rows: forward, softmax cross-entropy, backward, then
        model.set_params(optimizer.step(model.params(), model.grads()))

    Returns:
        the mean of the minibatch losses.
    """
    model.train()
    n = len(x)
    # the seeded order the docstring names, cut into ceil(N / batch_size) near-equal batches
    # (each at most batch_size rows)
    order = np.random.default_rng(seed).permutation(n)
    losses = []
    for batch in np.array_split(order, -(-n // batch_size)):
        loss, dlogits = softmax_cross_entropy(model.forward(x[batch]), y[batch])
        model.backward(dlogits)
        model.set_params(optimizer.step(model.params(), model.grads()))
        losses.append(loss)
    return float(np.mean(losses))


def train_classifier(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    hidden: tuple[int, ...] = (256, 128),
    epochs: int = 60,
    lr: float = 1e-3,
    batch_size: int = 32,
    optimizer: str = "adam",
    dropout: float = 0.3,
    weight_decay: float = 0.0,
    seed: int = 0,
) -> tuple[Sequential, dict[str, list[float]]]:
    """Train an MLP classifier (see build_mlp, make_optimizer) for ``epochs`` epochs.

    Args:
        x_train: (N, D) float inputs; y_train: (N,) integer labels in [0, C), C = max label + 1.
        x_val, y_val: the validation set, evaluated after every epoch.

    Returns:
        (model, history) where history["train_loss"], history["val_loss"], history["val_acc"]
        hold one float per epoch (train_epoch's result, then evaluate on the validation set).
        Use seed + epoch as the shuffling seed of each epoch.
    """
    model = build_mlp(
        x_train.shape[1], tuple(hidden), int(y_train.max()) + 1, dropout=dropout, seed=seed
    )
    opt = make_optimizer(optimizer, lr, weight_decay)
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
    for epoch in range(epochs):
        history["train_loss"].append(
            train_epoch(model, opt, x_train, y_train, batch_size=batch_size, seed=seed + epoch)
        )
        val_loss, val_acc = evaluate(model, x_val, y_val)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    model.eval()
    return model, history
