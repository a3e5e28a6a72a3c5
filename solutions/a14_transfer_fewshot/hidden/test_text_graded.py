"""Graded: batches with attention masks against MiniLM's own tokenizer, pooling against
sentence-transformers' embeddings, the top BERT layer against transformers' with the pretrained
weights, and the two transfer regimes on a few-label documentation task (part "text")."""

import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.tl_docs import load_doc_paragraphs

BERT_KEYS = {
    "query": "attention.self.query", "key": "attention.self.key",
    "value": "attention.self.value", "attn_out": "attention.output.dense",
    "ln1": "attention.output.LayerNorm", "ffn_in": "intermediate.dense",
    "ffn_out": "output.dense", "ln2": "output.LayerNorm",
}


def ours(bert_state):
    """A BertLayer state_dict under the handout's TopLayer names."""
    return {f"{k}.{p}": bert_state[f"{v}.{p}"] for k, v in BERT_KEYS.items()
            for p in ("weight", "bias")}


def some_texts(rng, n):
    texts, _ = load_doc_paragraphs(("with", "try", "class", "raise"), min_words=3)
    return [texts[i] for i in rng.choice(len(texts), n, replace=False)]


def ref_mean(hidden, mask):
    m = mask.to(hidden.dtype)[..., None]
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def split(doc_task, key):
    n = doc_task["n_train"]
    return doc_task[key][:n], doc_task[key][n:]


@part("text")
@points(2)
def test_mean_pool_float64_and_cls(student, rng, device):
    """float64 and float masks: mean_pool against the formula (an all-padding row gives 0);
    cls_pool is the first token; l2_normalize is x / max(||x||, 1e-12) (a zero row stays 0)."""
    h = torch.as_tensor(rng.normal(size=(4, 7, 5)), device=device)
    mask = torch.as_tensor(rng.random((4, 7)) < 0.6, dtype=torch.float64, device=device)
    mask[:, 0] = 1
    mask[2] = 0
    got = student.text_transfer.mean_pool(h, mask)
    assert got.dtype == torch.float64, "mean_pool should keep hidden's dtype"
    assert_close(got, ref_mean(h, mask), rtol=1e-12, atol=1e-12, name="mean_pool")
    assert_close(student.text_transfer.cls_pool(h), h[:, 0], rtol=0, atol=0, name="cls_pool")
    x = torch.as_tensor(rng.normal(size=(4, 6)), device=device) * 3
    x[1] = 0
    assert_close(student.text_transfer.l2_normalize(x), F.normalize(x, dim=-1, eps=1e-12),
                 rtol=1e-12, atol=1e-14, name="l2_normalize")


@part("text")
@points(3)
def test_pad_batch_matches_tokenizer(student, bert, rng):
    """pad_batch gives the input_ids and attention_mask of MiniLM's tokenizer (padding=True,
    truncation=True) for several max_length, int64; max_length 2 keeps only [CLS] [SEP];
    max_length < 2 raises ValueError."""
    tok = bert[0]
    texts = some_texts(rng, 6) + ["", "ok"]
    ids = tok(texts, add_special_tokens=False)["input_ids"]
    specials = {"cls_id": tok.cls_token_id, "sep_id": tok.sep_token_id, "pad_id": tok.pad_token_id}
    for max_length in (int(rng.integers(6, 14)), 64, 2):
        want = tok(texts, padding=True, truncation=True, max_length=max_length,
                   return_tensors="pt")
        got_ids, got_mask = student.text_transfer.pad_batch(ids, max_length=max_length, **specials)
        for name, got, ref in (("input_ids", got_ids, want["input_ids"]),
                               ("attention_mask", got_mask, want["attention_mask"])):
            assert got.dtype == torch.int64, f"{name} should be int64"
            assert tuple(got.shape) == tuple(ref.shape), f"{name} has the wrong shape"
            assert torch.equal(got, ref), f"{name} differs from the tokenizer's (max_length " \
                                          f"{max_length})"
    with pytest.raises(StudentError, match="ValueError"):
        student.text_transfer.pad_batch(ids, max_length=1, **specials)


@part("text")
@points(3)
def test_top_layer_matches_bert(student, doc_task, rng, device):
    """TopLayer: parameters by shape; with MiniLM's last layer loaded it maps that layer's
    inputs to MiniLM's last hidden states on the real tokens (float32); heads that do not
    divide dim raise ValueError."""
    layer = student.text_transfer.TopLayer(384, 12, 1536)
    want_state = ours(doc_task["layer"])
    got = {k: tuple(v.shape) for k, v in layer.state_dict().items()}
    assert got == {k: tuple(v.shape) for k, v in want_state.items()}, \
        "TopLayer's parameters do not match the specified names and shapes"
    layer.load_state_dict(want_state)
    layer.to(device)
    idx = torch.as_tensor(rng.choice(len(doc_task["labels"]), 6, replace=False))
    x, mask = doc_task["below"][idx].to(device), doc_task["mask"][idx].to(device)
    out = layer(x, mask).cpu()
    real = doc_task["mask"][idx].bool()
    assert_close(out[real], doc_task["last"][idx][real], rtol=1e-4, atol=2e-4,
                 name="the last hidden states on the real tokens")
    with pytest.raises(StudentError, match="ValueError"):
        student.text_transfer.TopLayer(30, 4, 8)

@part("text")
@points(2)
def test_linear_head_on_frozen_features(student, doc_task, rng, device):
    """train_linear_head on MiniLM's normalised mean-pooled features of 4 paragraphs per topic
    (5 topics): a Linear(384, 5) on the features' dtype, fitting its training set, and test
    accuracy on 12 held-out paragraphs per topic well above chance (0.2)."""
    feats = F.normalize(ref_mean(doc_task["last"], doc_task["mask"]), dim=-1)
    n = doc_task["n_train"]
    ytr, yte = split(doc_task, "labels")
    head = student.text_transfer.train_linear_head(feats[:n].to(device), ytr.to(device), 5,
                                                   seed=int(rng.integers(100)))
    shapes = sorted(tuple(v.shape) for v in head.state_dict().values())
    assert shapes == [(5,), (5, 384)], "the head should be a Linear(384, 5)"
    with torch.no_grad():
        train_acc = (head(feats[:n].to(device)).argmax(1).cpu() == ytr).double().mean().item()
        acc = (head(feats[n:].to(device)).argmax(1).cpu() == yte).double().mean().item()
    assert train_acc == 1.0, f"the head fits only {train_acc:.2f} of its 20 training examples"
    assert acc > 0.55, f"held-out accuracy {acc:.2f} of the frozen-feature head is too low"


@part("text")
@points(3)
def test_fine_tune_top_layer(student, reference, doc_task, rng, device):
    """fine_tune_top from MiniLM's last layer on the same 20 labels: an eval-mode FineTuned whose
    logits are head(mean_pool(top(x, mask))) (checked with its own weights), the top layer moved
    a little from the pretrained weights (15 Adam steps at lr 1e-4), test accuracy on the
    held-out paragraphs well above chance."""
    xtr, xte = split(doc_task, "below")
    mtr, mte = split(doc_task, "mask")
    ytr, yte = split(doc_task, "labels")
    state = ours(doc_task["layer"])
    model = student.text_transfer.fine_tune_top(xtr.to(device), mtr.to(device), ytr.to(device),
                                                state, 5, epochs=15,
                                                seed=int(rng.integers(100)))
    assert not model.training, "fine_tune_top should return the model in eval mode"
    with torch.no_grad():
        logits = model(xte.to(device), mte.to(device)).cpu()
    got_state = {k: v.cpu() for k, v in model.state_dict().items()}
    top = reference.text_transfer.TopLayer(384, 12, 1536)
    top.load_state_dict({k[4:]: v for k, v in got_state.items() if k.startswith("top.")})
    moved = max((got_state[f"top.{k}"] - v).abs().max().item() for k, v in state.items())
    assert moved > 1e-4, "the top layer did not change during fine-tuning"
    assert moved < 0.05, "the top layer is far from the pretrained weights it should start from"
    w, b = got_state["head.weight"], got_state["head.bias"]
    with torch.no_grad():
        want = ref_mean(top(xte, mte), mte) @ w.T + b
    assert_close(logits, want, rtol=1e-4, atol=1e-4, name="the fine-tuned logits")
    acc = (logits.argmax(1) == yte).double().mean().item()
    assert acc > 0.55, f"held-out accuracy {acc:.2f} after fine-tuning the top layer is too low"


@part("text")
@points(2)
def test_mean_pool_matches_sentence_transformers(student, minilm, rng, device):
    """mean_pool of MiniLM's token embeddings equals sentence-transformers' Pooling output
    (before normalisation), l2_normalize of it equals model.encode (after Normalize); extra
    padding changes nothing, the arguments are not modified."""
    texts = some_texts(rng, 5)
    features = minilm.tokenize(texts)
    with torch.no_grad():
        out = minilm[0](dict(features))
        pooled = minilm[1](dict(out))["sentence_embedding"]
    encoded = minilm.encode(texts, convert_to_tensor=True, device="cpu")
    hidden, mask = out["token_embeddings"].to(device), out["attention_mask"].to(device)
    call = watch_call(student.text_transfer.mean_pool, hidden, mask)
    assert not call.changed, "mean_pool modified its arguments"
    assert_close(call.result.cpu(), pooled, rtol=1e-5, atol=1e-5,
                 name="mean pooling before normalisation")
    unit = student.text_transfer.l2_normalize(call.result)
    assert_close(unit.cpu(), encoded, rtol=1e-5, atol=1e-5, name="the normalised embedding")
    junk = torch.as_tensor(rng.normal(size=(5, 3, hidden.shape[2])), dtype=hidden.dtype,
                           device=device)
    padded = torch.cat([hidden, junk], 1)
    pmask = torch.cat([mask, torch.zeros(5, 3, dtype=mask.dtype, device=device)], 1)
    assert_close(student.text_transfer.mean_pool(padded, pmask).cpu(), pooled, rtol=1e-5,
                 atol=1e-5, name="mean pooling with extra padding")
