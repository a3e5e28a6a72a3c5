"""Tiny randomly initialised Hugging Face models (configs only, nothing downloaded) and their
weights renamed to the handout's parameter names: the oracles of the gpt, generation and llama
parts."""

import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


def hf_gpt2(seed: int, device: str, *, vocab: int = 37, n_positions: int = 24, n_embd: int = 16,
            n_layer: int = 2, n_head: int = 4) -> GPT2LMHeadModel:
    """A float64 GPT2LMHeadModel without dropout, its weights perturbed away from the init (so
    LayerNorm weights and biases are not ones and zeros)."""
    torch.manual_seed(seed)
    cfg = GPT2Config(vocab_size=vocab, n_positions=n_positions, n_embd=n_embd, n_layer=n_layer,
                     n_head=n_head, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5,
                     attn_implementation="eager")
    model = GPT2LMHeadModel(cfg).double().to(device).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return model


def gpt_state(hf: GPT2LMHeadModel) -> dict[str, torch.Tensor]:
    """The handout's GPT state_dict: ``transformer.`` dropped, Conv1D weights (in, out)
    transposed to Linear's (out, in), attention-mask buffers left out."""
    out = {}
    for key, value in hf.state_dict().items():
        key = key.removeprefix("transformer.")
        if key.endswith((".attn.bias", ".attn.masked_bias")):
            continue
        out[key] = value.t().contiguous() if key.endswith(CONV1D) else value.clone()
    return out


def hf_llama(seed: int, device: str, *, vocab: int = 41, dim: int = 32, n_layers: int = 2,
             n_heads: int = 4, n_kv_heads: int = 2, hidden: int = 48, eps: float = 1e-6,
             theta: float = 10000.0) -> LlamaForCausalLM:
    """A float64 LlamaForCausalLM (eager attention, untied head), weights perturbed."""
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=dim, intermediate_size=hidden,
                      num_hidden_layers=n_layers, num_attention_heads=n_heads,
                      num_key_value_heads=n_kv_heads, rms_norm_eps=eps, rope_theta=theta,
                      max_position_embeddings=64, tie_word_embeddings=False,
                      attention_bias=False, mlp_bias=False, attn_implementation="eager")
    model = LlamaForCausalLM(cfg).double().to(device).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return model


def llama_state(hf: LlamaForCausalLM) -> dict[str, torch.Tensor]:
    """The handout's Llama state_dict: ``model.`` dropped."""
    return {k.removeprefix("model."): v.clone() for k, v in hf.state_dict().items()
            if "rotary_emb" not in k}
