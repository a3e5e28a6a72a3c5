"""Graded tests run torch single-threaded, as the sandbox does: the graphs are small, and on a
shared 2-core machine threads only add contention (a 0.1 s training run can take seconds)."""

import torch

torch.set_num_threads(1)
