"""Gradient norms over time on the adding problem; a short training run."""

import numpy as np
import torch
from recurrent import SequenceModel
from vanishing import adding_mse, hidden_gradient_norms, train_adding

from dnn.sequences import adding_problem

torch.set_num_threads(1)  # these small ops only lose time to threads on a busy CPU


def test_gradient_norms_shape_and_last_step() -> None:
    torch.manual_seed(0)
    model = SequenceModel("rnn", 2, 8, 1).double()
    x, y = (torch.from_numpy(a) for a in adding_problem(16, 20, seed=0))
    norms = hidden_gradient_norms(model, x, y)
    assert norms.shape == (20,)
    # dL/dh_T = 2 (y_hat - y) w_head / B, computed directly
    y_hat = model(x)[0][:, -1, 0]
    direct = (2 * (y_hat - y) / 16).unsqueeze(1) * model.head.weight
    torch.testing.assert_close(norms[-1], torch.linalg.vector_norm(direct).detach())
    assert norms[0] < norms[-1]  # a tanh RNN with small weights: gradients vanish backwards


def test_lstm_learns_the_adding_problem_a_little() -> None:
    # 150 steps leave some initialisations on the "predict the mean" plateau (the solution on
    # seeds 1 and 7, a correct cell with another parameter order on 4 of 8): best of 3 seeds.
    x, y = (torch.from_numpy(a.astype(np.float32)) for a in adding_problem(200, 10, seed=99))
    errors = []
    for seed in range(3):
        model, losses = train_adding("lstm", 10, hidden_size=16, steps=150, lr=0.02, seed=seed)
        assert len(losses) == 150
        errors.append(adding_mse(model, x, y))
        if errors[-1] < 0.12:
            break
    assert min(errors) < 0.12  # predicting 1 gives 1/6
