#!/usr/bin/python3
"""Tiny Hugging Face-style checkpoints for `onnx2graph --hf`, with a plain-PyTorch reference of each
architecture (the `transformers` package is not installable here). Writes, under tests/data/hf/:
  <name>/config.json, <name>/model.safetensors (or a sharded model.safetensors.index.json + shards)
  <name>.ids.json           input_ids [1, SEQ] in graph-forward's input format
  <name>.reference.json     the reference module's logits for those ids
  <name>.onnx               torch.onnx.export (opset 17) of the same reference module (input_ids → logits),
                            for the checkpoints marked so below
Checkpoints (random weights, seed fixed per name):
  gpt2          GPT-2: learned positions, LayerNorm, fused c_attn (Conv1D weights [in, out]), GELU (tanh),
                LM head tied to wte; hidden 32, 2 layers, 4 heads, vocab 101; f32
  gpt2_sharded  the same architecture (hidden 48, vocab 67) in two f16 shards with an index
  gpt2_bf16     the same as gpt2 with bf16 weights (the reference uses the bf16-rounded values)
  llama         Llama: RMSNorm, RoPE (rotate_half), GQA 4 query / 2 kv heads, SwiGLU, untied head; f32
  mistral       the same computation under model_type mistral, MQA (1 kv head), bf16
  qwen2         q/k/v biases, 4 heads / 2 kv heads of 12, hidden 48, tied head, f16 in two shards
  qwen3         q_norm/k_norm over the head dimension, tied head; f32
  phi3          fused qkv_proj and gate_up_proj, 4 kv heads (plain MHA), untied head; f32
SafeTensors are written here directly (8-byte little-endian header length, JSON header, raw data).
"""
import json
import math
import os
import struct
import sys

if os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3'):
    os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)

import numpy as np
import torch
from torch import nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hf')
SEQ = 8


# ---- SafeTensors --------------------------------------------------------------------------------

def to_bytes(array, dtype):
    a = np.ascontiguousarray(array, dtype=np.float32)
    if dtype == 'F32':
        return a.astype('<f4').tobytes()
    if dtype == 'F16':
        return a.astype('<f2').tobytes()
    bits = a.view(np.uint32)  # BF16: round to nearest even on the upper 16 bits
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype('<u2')
    return rounded.tobytes()


def stored_value(array, dtype):
    """The float32 value that a reader gets back from `array` stored as `dtype`."""
    raw = to_bytes(array, dtype)
    if dtype == 'F32':
        return np.frombuffer(raw, '<f4').reshape(array.shape).copy()
    if dtype == 'F16':
        return np.frombuffer(raw, '<f2').astype(np.float32).reshape(array.shape)
    return (np.frombuffer(raw, '<u2').astype(np.uint32) << 16).view(np.float32).reshape(array.shape)


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        raw = to_bytes(array, dtype)
        header[name] = {'dtype': dtype, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header['__metadata__'] = {'format': 'pt'}
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def write_checkpoint(folder, tensors, dtype, shards=1):
    os.makedirs(folder, exist_ok=True)
    if shards == 1:
        write_safetensors(os.path.join(folder, 'model.safetensors'), tensors, dtype)
        return
    names = list(tensors)
    weight_map = {}
    for k in range(shards):
        part = names[k * len(names) // shards:(k + 1) * len(names) // shards]
        file = f'model-{k + 1:05d}-of-{shards:05d}.safetensors'
        write_safetensors(os.path.join(folder, file), {n: tensors[n] for n in part}, dtype)
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, 'model.safetensors.index.json'), 'w') as f:
        json.dump({'metadata': {}, 'weight_map': weight_map}, f, indent=1)


# ---- reference modules --------------------------------------------------------------------------

class GPT2(nn.Module):
    """GPT-2 as Hugging Face's GPT2LMHeadModel computes it (pre-LN blocks, Conv1D weights [in, out])."""

    def __init__(self, cfg, w):
        super().__init__()
        self.cfg = cfg
        p = lambda name: nn.Parameter(torch.tensor(w[name]), requires_grad=False)
        self.wte, self.wpe = p('transformer.wte.weight'), p('transformer.wpe.weight')
        self.layers = []
        for i in range(cfg['n_layer']):
            names = ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight',
                     'attn.c_proj.bias', 'ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias',
                     'mlp.c_proj.weight', 'mlp.c_proj.bias']
            layer = nn.ParameterDict({n.replace('.', '_'): p(f'transformer.h.{i}.{n}') for n in names})
            self.add_module(f'h{i}', layer)
            self.layers.append(layer)
        self.ln_f_w, self.ln_f_b = p('transformer.ln_f.weight'), p('transformer.ln_f.bias')
        self.register_buffer('causal', torch.tril(torch.ones(cfg['n_positions'], cfg['n_positions'], dtype=torch.bool)))

    def ln(self, x, w, b):
        return nn.functional.layer_norm(x, (x.shape[-1],), w, b, self.cfg['layer_norm_epsilon'])

    def forward(self, input_ids):
        B, T = input_ids.shape
        D, H = self.cfg['n_embd'], self.cfg['n_head']
        x = self.wte[input_ids] + self.wpe[:T]
        for L in self.layers:
            h = self.ln(x, L['ln_1_weight'], L['ln_1_bias'])
            q, k, v = (h @ L['attn_c_attn_weight'] + L['attn_c_attn_bias']).split(D, dim=2)
            q, k, v = (t.view(B, T, H, D // H).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D // H))
            att = att.masked_fill(~self.causal[:T, :T], float('-inf')).softmax(dim=-1)
            y = (att @ v).transpose(1, 2).reshape(B, T, D)
            x = x + (y @ L['attn_c_proj_weight'] + L['attn_c_proj_bias'])
            h = self.ln(x, L['ln_2_weight'], L['ln_2_bias'])
            h = nn.functional.gelu(h @ L['mlp_c_fc_weight'] + L['mlp_c_fc_bias'], approximate='tanh')
            x = x + (h @ L['mlp_c_proj_weight'] + L['mlp_c_proj_bias'])
        x = self.ln(x, self.ln_f_w, self.ln_f_b)
        return x @ self.wte.t()


def gpt2_weights(cfg, rng):
    D, V, P = cfg['n_embd'], cfg['vocab_size'], cfg['n_positions']
    n = lambda *shape, s=0.2: (rng.standard_normal(shape) * s).astype(np.float32)
    w = {'transformer.wte.weight': n(V, D, s=0.5), 'transformer.wpe.weight': n(P, D, s=0.1)}
    for i in range(cfg['n_layer']):
        pre = f'transformer.h.{i}.'
        for ln in ('ln_1', 'ln_2'):
            w[pre + ln + '.weight'] = 1 + n(D, s=0.1)
            w[pre + ln + '.bias'] = n(D, s=0.1)
        w[pre + 'attn.c_attn.weight'], w[pre + 'attn.c_attn.bias'] = n(D, 3 * D), n(3 * D, s=0.05)
        w[pre + 'attn.c_proj.weight'], w[pre + 'attn.c_proj.bias'] = n(D, D), n(D, s=0.05)
        w[pre + 'mlp.c_fc.weight'], w[pre + 'mlp.c_fc.bias'] = n(D, 4 * D), n(4 * D, s=0.05)
        w[pre + 'mlp.c_proj.weight'], w[pre + 'mlp.c_proj.bias'] = n(4 * D, D, s=0.1), n(D, s=0.05)
    w['transformer.ln_f.weight'], w['transformer.ln_f.bias'] = 1 + n(D, s=0.1), n(D, s=0.1)
    return w


def gpt2_config(D, V, layers=2, heads=4, positions=16):
    return {'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'n_embd': D, 'n_head': heads,
            'n_layer': layers, 'n_positions': positions, 'vocab_size': V, 'layer_norm_epsilon': 1e-5,
            'activation_function': 'gelu_new', 'tie_word_embeddings': True}


def rms_norm(x, w, eps):
    """LlamaRMSNorm as Hugging Face writes it (the float32 casts are no-ops here)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, kv, t, hd = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, hd).reshape(b, kv * n_rep, t, hd)


class Llama(nn.Module):
    """The Llama family as Hugging Face's modeling code computes it: RMSNorm, RoPE by rotate_half
    (default rope_scaling), GQA by repeat_kv, additive causal mask, SwiGLU MLP. Qwen2: q/k/v biases;
    Qwen3: RMSNorm of q and k over the head dimension; Phi-3: fused qkv_proj and gate_up_proj."""

    def __init__(self, cfg, w):
        super().__init__()
        self.cfg = cfg
        self.w = {k: nn.Parameter(torch.tensor(v), requires_grad=False) for k, v in w.items()}
        for k, v in self.w.items():
            self.register_parameter(k.replace('.', '_'), v)
        D, H = cfg['hidden_size'], cfg['num_attention_heads']
        hd = cfg.get('head_dim') or D // H
        inv_freq = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        freqs = torch.outer(torch.arange(cfg['max_position_embeddings']).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer('cos_cached', emb.cos())
        self.register_buffer('sin_cached', emb.sin())
        P = cfg['max_position_embeddings']
        self.register_buffer('causal', torch.triu(torch.full((P, P), torch.finfo(torch.float32).min), 1))

    def linear(self, x, name):
        y = x @ self.w[name + '.weight'].t()
        return y + self.w[name + '.bias'] if name + '.bias' in self.w else y

    def forward(self, input_ids):
        cfg, w = self.cfg, self.w
        B, T = input_ids.shape
        D, H, KV = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads']
        hd, eps = cfg.get('head_dim') or D // H, cfg['rms_norm_eps']
        phi3 = cfg['model_type'] == 'phi3'
        x = w['model.embed_tokens.weight'][input_ids]
        cos, sin = self.cos_cached[:T], self.sin_cached[:T]
        for i in range(cfg['num_hidden_layers']):
            p = f'model.layers.{i}.'
            h = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
            if phi3:
                q, k, v = self.linear(h, p + 'self_attn.qkv_proj').split([H * hd, KV * hd, KV * hd], dim=-1)
            else:
                q, k, v = (self.linear(h, p + 'self_attn.' + n) for n in ('q_proj', 'k_proj', 'v_proj'))
            q, k = q.view(B, T, H, hd), k.view(B, T, KV, hd)
            v = v.view(B, T, KV, hd).transpose(1, 2)
            if cfg['model_type'] == 'qwen3':
                q = rms_norm(q, w[p + 'self_attn.q_norm.weight'], eps)
                k = rms_norm(k, w[p + 'self_attn.k_norm.weight'], eps)
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k, v = repeat_kv(k, H // KV), repeat_kv(v, H // KV)
            att = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hd) + self.causal[:T, :T]
            att = torch.softmax(att, dim=-1, dtype=torch.float32)
            y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, H * hd)
            x = x + self.linear(y, p + 'self_attn.o_proj')
            h = rms_norm(x, w[p + 'post_attention_layernorm.weight'], eps)
            if phi3:
                gate, up = self.linear(h, p + 'mlp.gate_up_proj').chunk(2, dim=-1)
            else:
                gate, up = self.linear(h, p + 'mlp.gate_proj'), self.linear(h, p + 'mlp.up_proj')
            x = x + self.linear(nn.functional.silu(gate) * up, p + 'mlp.down_proj')
        x = rms_norm(x, w['model.norm.weight'], eps)
        head = w['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else w['lm_head.weight']
        return x @ head.t()


def llama_weights(cfg, rng):
    D, V, H, KV, F = (cfg[k] for k in ('hidden_size', 'vocab_size', 'num_attention_heads', 'num_key_value_heads',
                                        'intermediate_size'))
    hd = cfg.get('head_dim') or D // H
    n = lambda *shape, s=0.2: (rng.standard_normal(shape) * s).astype(np.float32)
    kind = cfg['model_type']
    w = {'model.embed_tokens.weight': n(V, D, s=0.5)}
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        w[p + 'input_layernorm.weight'] = 1 + n(D, s=0.1)
        w[p + 'post_attention_layernorm.weight'] = 1 + n(D, s=0.1)
        if kind == 'phi3':
            w[p + 'self_attn.qkv_proj.weight'] = n((H + 2 * KV) * hd, D)
        else:
            for name, rows in (('q_proj', H * hd), ('k_proj', KV * hd), ('v_proj', KV * hd)):
                w[p + f'self_attn.{name}.weight'] = n(rows, D)
                if kind == 'qwen2':
                    w[p + f'self_attn.{name}.bias'] = n(rows, s=0.05)
        if kind == 'qwen3':
            w[p + 'self_attn.q_norm.weight'], w[p + 'self_attn.k_norm.weight'] = 1 + n(hd, s=0.1), 1 + n(hd, s=0.1)
        w[p + 'self_attn.o_proj.weight'] = n(D, H * hd)
        if kind == 'phi3':
            w[p + 'mlp.gate_up_proj.weight'] = n(2 * F, D)
        else:
            w[p + 'mlp.gate_proj.weight'], w[p + 'mlp.up_proj.weight'] = n(F, D), n(F, D)
        w[p + 'mlp.down_proj.weight'] = n(D, F, s=0.1)
    w['model.norm.weight'] = 1 + n(D, s=0.1)
    if not cfg['tie_word_embeddings']:
        w['lm_head.weight'] = n(V, D, s=0.2)
    return w


def llama_config(kind, D, V, heads, kv_heads, F, tie, layers=2, positions=16):
    arch = {'llama': 'LlamaForCausalLM', 'mistral': 'MistralForCausalLM', 'qwen2': 'Qwen2ForCausalLM',
            'qwen3': 'Qwen3ForCausalLM', 'phi3': 'Phi3ForCausalLM'}[kind]
    cfg = {'architectures': [arch], 'model_type': kind, 'hidden_size': D, 'intermediate_size': F,
           'num_attention_heads': heads, 'num_key_value_heads': kv_heads, 'num_hidden_layers': layers,
           'max_position_embeddings': positions, 'vocab_size': V, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0,
           'hidden_act': 'silu', 'tie_word_embeddings': tie}
    if kind == 'qwen3':
        cfg['head_dim'] = D // heads
    return cfg


# name: (config, weights builder, module, dtype, shards, with an ONNX export)
CHECKPOINTS = {
    'gpt2': (gpt2_config(32, 101), gpt2_weights, GPT2, 'F32', 1, True),
    'gpt2_sharded': (gpt2_config(48, 67), gpt2_weights, GPT2, 'F16', 2, False),
    'gpt2_bf16': (gpt2_config(32, 101), gpt2_weights, GPT2, 'BF16', 1, False),
    'llama': (llama_config('llama', 32, 113, 4, 2, 64, False), llama_weights, Llama, 'F32', 1, True),
    'mistral': (llama_config('mistral', 32, 97, 4, 1, 48, False), llama_weights, Llama, 'BF16', 1, False),
    'qwen2': (llama_config('qwen2', 48, 151, 4, 2, 80, True), llama_weights, Llama, 'F16', 2, False),
    'qwen3': (llama_config('qwen3', 32, 89, 4, 2, 64, True), llama_weights, Llama, 'F32', 1, True),
    'phi3': (llama_config('phi3', 32, 131, 4, 4, 64, False), llama_weights, Llama, 'F32', 1, True),
}


def dump(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f)


def build(name):
    cfg, make_weights, module, dtype, shards, onnx = CHECKPOINTS[name]
    rng = np.random.default_rng(sum(map(ord, name.split('_')[0])))
    weights = make_weights(cfg, rng)
    write_checkpoint(os.path.join(HERE, name), weights, dtype, shards)
    dump(os.path.join(HERE, name, 'config.json'), cfg)
    model = module(cfg, {k: stored_value(v, dtype) for k, v in weights.items()}).eval()
    ids = torch.tensor([[int(v) for v in rng.integers(0, cfg['vocab_size'], SEQ)]], dtype=torch.int64)
    ids[0, 0] = cfg['vocab_size'] - 1  # the last row of the table
    with torch.no_grad():
        logits = model(ids)
    dump(os.path.join(HERE, name + '.ids.json'), {'name': 'input_ids', 'shape': [1, SEQ], 'data': ids.flatten().tolist()})
    dump(os.path.join(HERE, name + '.reference.json'),
         {'name': 'logits', 'shape': list(logits.shape), 'data': [float(v) for v in logits.flatten()]})
    if onnx:
        torch.onnx.export(model, ids, os.path.join(HERE, name + '.onnx'), input_names=['input_ids'],
                          output_names=['logits'], opset_version=17)


if __name__ == '__main__':
    for name in sys.argv[1:] or CHECKPOINTS:
        build(name)
