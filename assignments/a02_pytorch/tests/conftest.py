"""Small nets train faster on one thread than on two contended ones (laptops, CI runners)."""

import torch

torch.set_num_threads(1)
