"""Local-mode runs of the graded tests train small nets in this process: one thread is faster
for them than two contended ones on a shared CI runner (the sandbox sets its own threads)."""

import torch

torch.set_num_threads(1)
