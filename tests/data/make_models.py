#!/usr/bin/python3
"""Builds the project's own small test models and data (run by `make models`; needs Debian's
python3-torch and python3-sklearn). Writes, next to this file:
  digits_test.json          sklearn digits test split: {"X": 450 rows of 64 pixels/16, "y": labels}
  digits_calib_mlp.json     64 training images as graph-forward inputs, shape [1, 64]
  digits_calib_cnn.json     the same images, shape [1, 1, 8, 8]
  <model>.onnx, <model>.input.json, <model>.torch_output.json for:
    mlp_sigmoid   Linear(64,32)-Sigmoid-Linear(32,32)-ReLU-Linear(32,10), trained on digits
    conv_small    Conv2d(1,4,3,stride 2,pad 1)-ReLU-Flatten-Linear(64,10), trained on digits
    tiny_block    LayerNorm-Linear-softmax attention (no mask)-GELU(erf)-SiLU MLP, random init, x [1,8,16]
    shape_ops     Conv-ReLU-view(x.shape[0], -1)-Linear-GELU(tanh)-LayerNorm-tanh-slice, exported WITHOUT
                  constant folding (Shape/Gather/Unsqueeze/Concat shape arithmetic), x [1,1,8,8]
    tiny_llama    RMSNorm-causal attention (additive -1e9 mask)-RMSNorm-SwiGLU MLP, random init, x [1,8,16]
    tiny_gated    Q·Kᵀ scores (ReLU, no softmax)·V with a residual, then a residual ReLU-gated MLP
                  (gate ⊙ up); random init, x [1,8,16]: the model gkr-prove proves end to end with
                  activation×activation matmuls, residual adds and elementwise products
    gpt_heads12   a pre-LN GPT-2 block with GPT-2's 12 heads (of 4) and seq 7: LayerNorm, QKV, causal
                  softmax attention over the heads (masked_fill), proj, residual, LayerNorm, GELU(tanh) MLP
                  192, residual; random init, x [1,7,48]: head count and sequence not powers of two
  bad_*.onnx / wide_linear.onnx: small hand-built graphs (onnx.helper) for the importer's refusals:
    bad_missing_init (reads an initializer that does not exist), bad_dynamic (a free 'seq'
    dimension after the batch one), bad_unsupported (LSTM and TopK nodes), wide_linear (K = 2048: its accumulator
    cannot be bounded below (p-1)/2 at 16-bit activations), index_ops (Gather, Concat, Mul/Div/Sub/Neg
    of activations, Transpose, Sigmoid on x [2, 8]; its reference output is computed with numpy:
    index_ops.reference_output.json)
  Models exported the way people export them (dynamic axes, opsets 11–17; `make_models.py NAME…` rebuilds
  only the named ones):
    dyn_block     causal attention block written like nanoGPT (x.shape unpacked, view/transpose heads, a
                  causal buffer sliced to [:T, :T] + masked_fill, learned positions indexed by arange(T),
                  a bias expanded to x's shape), dynamic batch and sequence axes; exported at opsets 11,
                  14 and 17 (dyn_block_op11/op14/op17.onnx); input and torch output for x [1, 8, 16]
    nanogpt_block nanoGPT's x + wpe(arange(T)) (learned positions folded to a constant the proof adds), a
                  pre-LN causal block (tril buffer, masked_fill, GELU MLP) and ln_f; d 32, 2 heads, dynamic
                  batch and sequence axes, x [1, 8, 32]
    dyn_mlp       flatten(x.view(B, -1))-Linear-GELU-Linear with a dynamic batch axis only, x [1, 4, 16]
    encoder_layer nn.TransformerEncoderLayer(16, 2 heads, 32, GELU, post-LN, batch_first), dynamic batch and
                  sequence axes, x [1, 8, 16]; opsets 14 (LayerNorm decomposed) and 17 (LayerNormalization)
    llama_block, qwen2_block (q/k/v biases), qwen3_block (q_norm/k_norm), rope_interleaved: a decoder layer
                  written like Hugging Face's (RMSNorm with its casts, RoPE from cos/sin buffers by rotate_half
                  or on interleaved pairs, GQA 4 query / 2 kv heads by repeat_kv, additive causal mask, SwiGLU),
                  d 32, dynamic batch and sequence axes, x [1, 8, 32] (`make_models.py decoder_blocks`)
  One model per op family (`make_models.py ops`; random init, BatchNorm statistics randomized):
    pool_cnn      ResNet-style: conv-BN-ReLU-MaxPool(3, 2, pad 1), a residual block, GlobalAveragePool, linear;
                  BN folded by the exporter, dynamic batch axis; pool_cnn_bn: the same with BatchNormalization
                  kept (TrainingMode.PRESERVE)
    pool_ops      MaxPool/AveragePool edge cases (ceil_mode, count_include_pad, dilation) and a Pad
    grouped_conv  depthwise and grouped (stride 2, dilation 2) convolutions
    activations   ReLU6, LeakyReLU, Hardsigmoid, Hardswish, clamp
    conv1d_ops    Conv1d (stride, dilation, padding), MaxPool1d, AvgPool1d, ConvTranspose1d
                  (`make_models.py upsample_ops`)
    upsample_ops  ConvTranspose2d (output_padding, groups; a 4×3 kernel, strides 3×2), nearest Resize by 2 and to a
                  size, bilinear Resize to a size
    encoder_layer_op20  encoder_layer_op14 rewritten into opset 20 (ReduceMean axes input, a Gelu node;
                  `make_models.py opset20`)
    more_activations  PReLU (per channel), ELU, Softplus, Mish, Exp (of a tanh) between linears
    more_activations2  SELU, CELU(0.6), ELU(0.7), Softsign, abs, LogSigmoid, Softplus(β = 2), Hardswish,
                  exp(0.5·x), each on a residual branch of a linear, opset 13 (CELU needs 12; Hardswish as HardSigmoid + Mul)
                  (`make_models.py more_activations2`)
    vit_tiny      a ViT: strided patch conv, class token concatenated in front, learned positions, 2 pre-LN
                  encoder layers, the class token's head; dynamic batch axis
    axis_ops      softmax/mean/amax/split off the last axis, unsqueeze/squeeze with axes inputs, log_softmax (opset 13)
  Models for the integer model's accuracy (README "Quantization"):
    ln_mlp        Linear-LayerNorm-ReLU ×2 then Linear, trained on a synthetic keyword task whose inputs
                  are log-mel-like (40 bands × 4 frames: offset around −6, spread ~3, NOT N(0,1)), batch 1;
                  ln_mlp.calib.json (64 training inputs) and ln_mlp.test.json (200 held-out rows, labels)
    pre_ln_stack  12 pre-LN GPT blocks (LayerNorm-causal attention-residual-LayerNorm-GELU MLP-residual),
                  width 64, 4 heads, seq 8, random init; `make_models.py pre_ln_stack_768 DIR` writes the
                  width-768 (12 heads) version to DIR (≈340 MB, not kept in the repository)
The split is the one of shared/models/README.md: pixels/16, train_test_split(test_size=0.25,
random_state=0, stratify=y). The first models use opset 14 with static shapes, like the reference models.
"""
import json
import os
import sys

try:
    import torch
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
except ImportError:
    if sys.executable != '/usr/bin/python3':
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    raise

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(name, obj):
    with open(os.path.join(HERE, name), 'w') as f:
        json.dump(obj, f, separators=(',', ':'))


def tensor_json(model, name, t):
    return {'model': model, 'name': name, 'dtype': 'float32', 'shape': list(t.shape),
            'data': [float(v) for v in t.detach().numpy().astype(np.float32).ravel()]}


def export(model, name, x, in_name, out_name, fold=True, opsets=(14,), dynamic=None, **kw):
    """Writes name.onnx (one opset) or name_opN.onnx (several), name.input.json, name.torch_output.json.
    dynamic: {axis: label} of the input and output (torch.onnx.export's dynamic_axes)."""
    model.eval()
    axes = {in_name: dynamic, out_name: dynamic} if dynamic else None
    for op in opsets:
        path = os.path.join(HERE, name + ('.onnx' if len(opsets) == 1 else f'_op{op}.onnx'))
        torch.onnx.export(model, x, path, input_names=[in_name], output_names=[out_name], opset_version=op,
                          do_constant_folding=fold, dynamic_axes=axes, **kw)
    with torch.no_grad():
        y = model(x)
    dump(name + '.input.json', tensor_json(name, in_name, x))
    dump(name + '.torch_output.json', tensor_json(name, out_name, y))


def train(model, X, y, epochs, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
    return model


class TinyBlock(torch.nn.Module):
    def __init__(self, d=16, hidden=32):
        super().__init__()
        self.ln = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.fc = torch.nn.Linear(d, hidden)
        self.gelu = torch.nn.GELU()
        self.out = torch.nn.Linear(hidden, d)
        self.d = d

    def forward(self, x):
        q, k, v = self.qkv(self.ln(x)).split(self.d, dim=-1)
        a = torch.softmax(q @ k.transpose(-1, -2) / 4.0, dim=-1) @ v
        r = x + self.proj(a)
        h = torch.nn.functional.silu(self.gelu(self.fc(r)))
        return r + self.out(h)


class GptHeads12(torch.nn.Module):
    def __init__(self, d=48, heads=12, t=7, hidden=192):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.fc = torch.nn.Linear(d, hidden)
        self.out = torch.nn.Linear(hidden, d)
        self.register_buffer('causal', torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1))
        self.d, self.h = d, heads

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2)
                   for z in self.qkv(self.ln1(x)).split(self.d, dim=-1))
        s = (q @ k.transpose(-1, -2) / (d // self.h) ** 0.5).masked_fill(self.causal, float('-inf'))
        a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        r = x + self.proj(a)
        return r + self.out(torch.nn.functional.gelu(self.fc(self.ln2(r)), approximate='tanh'))


def hand_built():
    import onnx
    from onnx import helper, TensorProto, numpy_helper
    rng = np.random.default_rng(11)

    def save(name, nodes, inputs, outputs, inits, check=True):
        g = helper.make_graph(nodes, name, inputs, outputs, inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 14)])
        m.ir_version = 7
        if check:
            onnx.checker.check_model(m)
        onnx.save(m, os.path.join(HERE, name + '.onnx'))

    f = TensorProto.FLOAT
    w = numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32), 'w')
    save('bad_missing_init', [helper.make_node('MatMul', ['x', 'w_missing'], ['y'], name='mm')],
         [helper.make_tensor_value_info('x', f, [1, 16])], [helper.make_tensor_value_info('y', f, [1, 4])], [w],
         check=False)
    save('bad_dynamic', [helper.make_node('Transpose', ['x'], ['xt'], name='t', perm=[0, 2, 1]),
                         helper.make_node('MatMul', ['xt', 'w'], ['y'], name='mm')],
         [helper.make_tensor_value_info('x', f, ['batch', 16, 'seq'])],
         [helper.make_tensor_value_info('y', f, ['batch', 'seq', 4])], [w])
    wi = numpy_helper.from_array(rng.standard_normal((1, 32, 16)).astype(np.float32), 'W')
    ri = numpy_helper.from_array(rng.standard_normal((1, 32, 8)).astype(np.float32), 'R')
    k = numpy_helper.from_array(np.array([2], dtype=np.int64), 'k')
    save('bad_unsupported', [helper.make_node('LSTM', ['x', 'W', 'R'], ['h'], name='lstm_1', hidden_size=8),
                             helper.make_node('Relu', ['x'], ['r'], name='relu'),
                             helper.make_node('TopK', ['r', 'k'], ['v', 'i'], name='topk_1')],
         [helper.make_tensor_value_info('x', f, [4, 1, 16])],
         [helper.make_tensor_value_info('h', f, [4, 1, 1, 8]), helper.make_tensor_value_info('v', f, [4, 1, 2])],
         [wi, ri, k])
    idx = numpy_helper.from_array(np.array([7, 0, 3], dtype=np.int64), 'idx')
    four = numpy_helper.from_array(np.array(4.0, dtype=np.float32), 'four')
    save('index_ops', [helper.make_node('Gather', ['x', 'idx'], ['g'], name='gather', axis=1),
                       helper.make_node('Concat', ['g', 'x'], ['c'], name='concat', axis=1),
                       helper.make_node('Mul', ['c', 'c'], ['m'], name='square'),
                       helper.make_node('Div', ['m', 'four'], ['d'], name='quarter'),
                       helper.make_node('Sub', ['d', 'c'], ['s'], name='sub'),
                       helper.make_node('Neg', ['s'], ['n'], name='neg'),
                       helper.make_node('Transpose', ['n'], ['t'], name='transpose', perm=[1, 0]),
                       helper.make_node('Sigmoid', ['t'], ['y'], name='sigmoid')],
         [helper.make_tensor_value_info('x', f, [2, 8])], [helper.make_tensor_value_info('y', f, [11, 2])], [idx, four])
    x = rng.standard_normal((2, 8)).astype(np.float32)
    c = np.concatenate([x[:, [7, 0, 3]], x], axis=1).astype(np.float64)
    y = 1 / (1 + np.exp(-(-(c * c / 4.0 - c)).T))
    dump('index_ops.input.json', {'name': 'x', 'shape': [2, 8], 'data': [float(v) for v in x.ravel()]})
    dump('index_ops.reference_output.json', {'name': 'y', 'shape': [11, 2], 'data': [float(v) for v in y.ravel()]})
    ww = numpy_helper.from_array(rng.standard_normal((2048, 8)).astype(np.float32), 'w')
    save('wide_linear', [helper.make_node('MatMul', ['x', 'w'], ['y'], name='wide_fc')],
         [helper.make_tensor_value_info('x', f, [1, 2048])], [helper.make_tensor_value_info('y', f, [1, 8])], [ww])


class ShapeOps(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(1, 2, 3, padding=1)
        self.l = torch.nn.Linear(128, 4)
        self.ln = torch.nn.LayerNorm(4)

    def forward(self, x):
        y = torch.relu(self.c(x))
        y = self.l(y.view(y.shape[0], -1))
        y = torch.nn.functional.gelu(y, approximate='tanh')
        return torch.tanh(self.ln(y))[:, 1:3].unsqueeze(0).squeeze(0)


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(1 + 0.1 * torch.randn(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class TinyLlama(torch.nn.Module):
    def __init__(self, d=16, t=8, hidden=32):
        super().__init__()
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d, bias=False)
        self.proj = torch.nn.Linear(d, d, bias=False)
        self.w1 = torch.nn.Linear(d, hidden, bias=False)
        self.w3 = torch.nn.Linear(d, hidden, bias=False)
        self.w2 = torch.nn.Linear(hidden, d, bias=False)
        self.register_buffer('mask', torch.triu(torch.full((t, t), -1e9), diagonal=1))
        self.d = d

    def forward(self, x):
        q, k, v = self.qkv(self.n1(x)).split(self.d, dim=-1)
        a = torch.softmax(q @ k.transpose(-1, -2) / 4.0 + self.mask, dim=-1) @ v
        r = x + self.proj(a)
        h = self.n2(r)
        return r + self.w2(torch.nn.functional.silu(self.w1(h)) * self.w3(h))


class TinyGated(torch.nn.Module):
    """What gkr-prove proves beyond matmul/requant/lookups: an attention-like score matrix Q·Kᵀ of two
    activations (ReLU instead of softmax) applied to V, residual adds and a gated MLP (an elementwise
    product of two activations). No norms or softmax: their max/reductions are not proven yet."""
    def __init__(self, d=16, hidden=32):
        super().__init__()
        self.qk = torch.nn.Linear(d, 2 * d)
        self.v = torch.nn.Linear(d, d)
        self.gate = torch.nn.Linear(d, hidden)
        self.up = torch.nn.Linear(d, hidden)
        self.down = torch.nn.Linear(hidden, d)
        self.d = d

    def forward(self, x):
        q, k = self.qk(x).split(self.d, dim=-1)
        s = torch.relu(q @ k.transpose(-1, -2) / 4.0)
        r = x + (s @ self.v(x)) / 8.0
        return r + self.down(torch.relu(self.gate(r)) * self.up(r))


class DynBlock(torch.nn.Module):
    """Causal self-attention as nanoGPT writes it; every shape comes from x.shape at run time."""
    def __init__(self, d=16, heads=2, t_max=32):
        super().__init__()
        self.ln = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.pos = torch.nn.Parameter(0.1 * torch.randn(t_max, d))
        self.shift = torch.nn.Parameter(0.1 * torch.randn(d))
        self.register_buffer('causal', torch.tril(torch.ones(t_max, t_max)))
        self.h, self.d = heads, d

    def forward(self, x):
        B, T, C = x.shape
        x = x + self.pos[torch.arange(T)] + self.shift.expand(B, T, C)
        q, k, v = self.qkv(self.ln(x)).split(self.d, dim=-1)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        s = (q @ k.transpose(-2, -1)) * (1.0 / (C // self.h) ** 0.5)
        s = s.masked_fill(self.causal[:T, :T] == 0, float('-inf'))
        a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
        return x + self.proj(a)


class DynMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, 32)
        self.fc2 = torch.nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.nn.functional.gelu(self.fc1(x.view(x.shape[0], -1))))


def dynamic_models():
    torch.manual_seed(12)
    export(DynBlock(), 'dyn_block', torch.randn(1, 8, 16), 'x', 'y', opsets=(11, 14, 17),
           dynamic={0: 'batch', 1: 'seq'})
    torch.manual_seed(13)
    export(DynMlp(), 'dyn_mlp', torch.randn(1, 4, 16), 'x', 'y', dynamic={0: 'batch'})


class ResBlock(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1, self.b1 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c)
        self.c2, self.b2 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c)

    def forward(self, x):
        return torch.relu(x + self.b2(self.c2(torch.relu(self.b1(self.c1(x))))))


class PoolCnn(torch.nn.Module):
    """A small ResNet: stem conv-BN-ReLU-maxpool, a residual block, global average pool, linear."""
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8),
                                        torch.nn.ReLU(), torch.nn.MaxPool2d(3, stride=2, padding=1))
        self.block = ResBlock(8)
        self.fc = torch.nn.Linear(8, 10)

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.fc(torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


def randomize_bn(model):
    """Non-trivial running statistics, as a trained network has."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model


class PoolOps(torch.nn.Module):
    """Pooling edge cases: ceil_mode, count_include_pad both ways (True exports as Pad + AveragePool),
    dilation, stride ≠ kernel; a linear at the end (a proof needs a committed weight)."""
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2 * (25 + 25 + 25 + 49), 8)

    def forward(self, x):
        a = torch.nn.functional.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        b = torch.nn.functional.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        c = torch.nn.functional.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True)
        d = torch.nn.functional.max_pool2d(x, 2, stride=1, dilation=2)
        return self.fc(torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1)], dim=1))


class GroupedConv(torch.nn.Module):
    """Depthwise (groups = channels) and grouped (groups = 2, stride 2, dilation 2) convolutions."""
    def __init__(self):
        super().__init__()
        self.dw = torch.nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.gc = torch.nn.Conv2d(4, 8, 3, stride=2, padding=2, dilation=2, groups=2)

    def forward(self, x):
        return self.gc(torch.relu(self.dw(x)))


class Activations(torch.nn.Module):
    """ReLU6 (Clip), LeakyReLU, Hardsigmoid, Hardswish and a two-sided clamp between linears."""
    def __init__(self, d=16):
        super().__init__()
        self.l = torch.nn.ModuleList(torch.nn.Linear(d, d) for _ in range(5))

    def forward(self, x):
        x = torch.nn.functional.relu6(self.l[0](x) * 3)
        x = torch.nn.functional.leaky_relu(self.l[1](x), 0.1)
        x = torch.nn.functional.hardsigmoid(self.l[2](x) * 4)
        x = torch.nn.functional.hardswish(self.l[3](x) * 4)
        return torch.clamp(self.l[4](x), -0.3, 0.4)


class AxisOps(torch.nn.Module):
    """Ops over axes other than the last: softmax on dim 1, mean over (1, 2) without keepdim, amax
    over dim 1 with keepdim, a split with sizes, unsqueeze/squeeze (axes inputs from opset 13); and a
    log_softmax; each result feeds its own linear and the linears are summed."""
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.ModuleList(torch.nn.Linear(k, 8) for k in (16, 8, 32, 32, 80, 128))

    def forward(self, x):
        s = torch.softmax(x * 2, dim=1)
        m = x.mean(dim=(1, 2))
        a = x.amax(dim=1, keepdim=True)
        p, q, r = torch.split(x, [1, 2, 5], dim=3)
        z = (s[..., :1] + p).unsqueeze(1).squeeze(1)
        lp = torch.log_softmax(x, dim=-1)
        parts = [z.flatten(1), m, a.flatten(1), (q * 0.5).flatten(1), r.flatten(1), lp.flatten(1)]
        return sum(fc(t) for fc, t in zip(self.fc, parts))


class Conv1dOps(torch.nn.Module):
    """An audio-style 1-D stack: Conv1d (stride 2, dilation 2, padding), ReLU, MaxPool1d (padding),
    AvgPool1d, a second Conv1d, a ConvTranspose1d (stride 2, output_padding), then a linear."""
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(4, 8, 5, stride=2, padding=3, dilation=2)
        self.c2 = torch.nn.Conv1d(8, 6, 3, padding=1)
        self.up = torch.nn.ConvTranspose1d(6, 6, 3, stride=2, padding=1, output_padding=1)
        self.fc = torch.nn.Linear(6 * 8, 5)

    def forward(self, x):
        x = torch.nn.functional.max_pool1d(torch.relu(self.c1(x)), 3, stride=2, padding=1)
        return self.fc(self.up(torch.nn.functional.avg_pool1d(self.c2(x), 2)).flatten(1))


class UpsampleOps(torch.nn.Module):
    """A decoder's upsampling: ConvTranspose2d (stride 2, padding 1, output_padding 1, 2 groups; and a
    non-square kernel with unequal strides), nearest interpolation by 2 and to a given size, bilinear
    to a given size."""
    def __init__(self):
        super().__init__()
        self.d = torch.nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.u1 = torch.nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.u2 = torch.nn.ConvTranspose2d(4, 2, (4, 3), stride=(3, 2), padding=(2, 1))

    def forward(self, x):
        y = self.u1(torch.relu(self.d(x)))
        y = torch.nn.functional.interpolate(y, scale_factor=2, mode='nearest')
        y = torch.nn.functional.interpolate(self.u2(y), size=(9, 7), mode='nearest')
        return torch.nn.functional.interpolate(y, size=(12, 10), mode='bilinear', align_corners=False)


class VitTiny(torch.nn.Module):
    """A ViT as timm/HF write it: patch embedding (a strided conv), a class token expanded to the batch
    and concatenated in front, learned positions, pre-LN encoder layers, the class token's head."""
    def __init__(self, d=32, patch=4, patches=16):
        super().__init__()
        self.patch = torch.nn.Conv2d(3, d, patch, stride=patch)
        self.cls = torch.nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos = torch.nn.Parameter(torch.randn(1, patches + 1, d) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.enc = torch.nn.TransformerEncoder(layer, 2)
        self.ln, self.head = torch.nn.LayerNorm(d), torch.nn.Linear(d, 10)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        return self.head(self.ln(self.enc(x)[:, 0]))


class MoreActivations(torch.nn.Module):
    """ELU, Softplus, Mish (Softplus → Tanh → Mul) and Exp between linears: one table each; PReLU with
    one slope per channel (axis 1)."""
    def __init__(self, d=16):
        super().__init__()
        self.l = torch.nn.ModuleList(torch.nn.Linear(d, d) for _ in range(4))
        self.pr = torch.nn.PReLU(4)
        with torch.no_grad():
            self.pr.weight.uniform_(-0.5, 0.8)

    def forward(self, x):
        x = torch.nn.functional.elu(self.pr(self.l[0](x)))
        x = torch.nn.functional.softplus(self.l[1](x))
        x = torch.nn.functional.mish(self.l[2](x))
        return torch.exp(torch.tanh(self.l[3](x)))


class MoreActivations2(torch.nn.Module):
    """SELU, CELU and ELU with α ≠ 1, Softsign (Abs/Add/Div), abs, LogSigmoid (Sigmoid → Log), Softplus(β)
    (Mul → Softplus → Div), Hardswish and exp of a scaled input, each on a residual branch of a linear."""
    def __init__(self, d=16):
        super().__init__()
        self.l = torch.nn.ModuleList(torch.nn.Linear(d, d) for _ in range(10))

    def forward(self, x):
        F = torch.nn.functional
        x = x + F.selu(self.l[0](x))
        x = x + F.celu(self.l[1](x), alpha=0.6)
        x = x + F.elu(self.l[2](x), alpha=0.7)
        x = x + F.softsign(self.l[3](x) * 3)
        x = x + torch.abs(self.l[4](x))
        x = x + F.logsigmoid(self.l[5](x))
        x = x + F.softplus(self.l[6](x), beta=2.0)
        x = x + F.hardswish(self.l[7](x) * 3)
        return self.l[9](x + torch.exp(0.5 * self.l[8](x)))


def more_activations2():
    torch.manual_seed(29)
    export(MoreActivations2(), 'more_activations2', torch.randn(1, 4, 16), 'x', 'y', opsets=(13,))


class ResizeCubic(torch.nn.Module):
    """Bicubic interpolation (Keys' kernel, a = −0.75, edge taps clamped) by a scale factor and to a
    size, with and without align_corners, around a convolution."""
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(2, 3, 3, padding=1)

    def forward(self, x):
        y = torch.nn.functional.interpolate(x, scale_factor=2, mode='bicubic', align_corners=False)
        y = torch.relu(self.c(y))
        return torch.nn.functional.interpolate(y, size=(7, 13), mode='bicubic', align_corners=True)


def resize_cubic():
    torch.manual_seed(29)
    export(ResizeCubic(), 'resize_cubic', torch.randn(1, 2, 5, 4), 'x', 'y', opsets=(17,))


def upsample_models():
    torch.manual_seed(25)
    export(Conv1dOps(), 'conv1d_ops', torch.randn(1, 4, 32), 'x', 'y', opsets=(17,), dynamic={0: 'batch'})
    torch.manual_seed(26)
    export(UpsampleOps(), 'upsample_ops', torch.randn(1, 3, 6, 6), 'x', 'y', opsets=(17,))
    torch.manual_seed(27)
    export(VitTiny(), 'vit_tiny', torch.randn(1, 3, 16, 16), 'x', 'y', opsets=(17,), dynamic={0: 'batch'})
    torch.manual_seed(28)
    export(MoreActivations(), 'more_activations', torch.randn(1, 4, 16), 'x', 'y', opsets=(17,))


def op_models():
    torch.manual_seed(20)
    cnn = randomize_bn(PoolCnn())
    x = torch.randn(1, 3, 16, 16)
    export(cnn, 'pool_cnn', x, 'x', 'y', dynamic={0: 'batch'})
    export(cnn, 'pool_cnn_bn', x, 'x', 'y', training=torch.onnx.TrainingMode.PRESERVE)
    torch.manual_seed(21)
    export(PoolOps(), 'pool_ops', torch.randn(1, 2, 9, 9), 'x', 'y')
    torch.manual_seed(22)
    export(GroupedConv(), 'grouped_conv', torch.randn(1, 4, 9, 9), 'x', 'y')
    torch.manual_seed(23)
    export(Activations(), 'activations', torch.randn(1, 4, 16), 'x', 'y')
    torch.manual_seed(24)
    export(AxisOps(), 'axis_ops', torch.randn(1, 4, 4, 8), 'x', 'y', opsets=(13,))


def encoder_layer():
    torch.manual_seed(30)
    layer = torch.nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, activation='gelu',
                                             batch_first=True)
    export(layer, 'encoder_layer', torch.randn(1, 8, 16), 'x', 'y', opsets=(14, 17), dynamic={0: 'batch', 1: 'seq'})


class HfRMSNorm(torch.nn.Module):
    """LlamaRMSNorm as Hugging Face writes it."""
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(1 + 0.1 * torch.randn(d))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rotate_interleaved(x, cos, sin):
    """RoPE on (even, odd) pairs (GPT-J / the original Llama layout), in real arithmetic."""
    x_even, x_odd = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x_even * cos - x_odd * sin, x_even * sin + x_odd * cos), dim=-1)
    return out.flatten(-2)


class DecoderBlock(torch.nn.Module):
    """A Llama / Qwen2 decoder layer written like Hugging Face's modeling code: RMSNorm, q/k/v
    projections (Qwen2: with bias), RoPE from cos/sin buffers (rotate_half, or interleaved pairs),
    GQA with repeat_kv (expand + reshape), an additive causal mask, SwiGLU MLP; qk_norm: Qwen3's
    RMSNorm of q and k over the head dimension."""
    def __init__(self, d=32, heads=4, kv_heads=2, hidden=64, t_max=16, bias=False, qk_norm=False, interleaved=False):
        super().__init__()
        self.h, self.kv, self.hd = heads, kv_heads, d // heads
        self.input_layernorm, self.post_attention_layernorm = HfRMSNorm(d), HfRMSNorm(d)
        self.q_proj = torch.nn.Linear(d, heads * self.hd, bias=bias)
        self.k_proj = torch.nn.Linear(d, kv_heads * self.hd, bias=bias)
        self.v_proj = torch.nn.Linear(d, kv_heads * self.hd, bias=bias)
        self.o_proj = torch.nn.Linear(heads * self.hd, d, bias=False)
        self.gate_proj = torch.nn.Linear(d, hidden, bias=False)
        self.up_proj = torch.nn.Linear(d, hidden, bias=False)
        self.down_proj = torch.nn.Linear(hidden, d, bias=False)
        self.q_norm = HfRMSNorm(self.hd) if qk_norm else None
        self.k_norm = HfRMSNorm(self.hd) if qk_norm else None
        self.interleaved = interleaved
        half = self.hd // 2
        inv_freq = 1.0 / (10000 ** (torch.arange(0, half).float() / half))
        freqs = torch.outer(torch.arange(t_max).float(), inv_freq)
        emb = freqs if interleaved else torch.cat((freqs, freqs), dim=-1)
        self.register_buffer('cos_cached', emb.cos())
        self.register_buffer('sin_cached', emb.sin())
        self.register_buffer('causal', torch.triu(torch.full((t_max, t_max), torch.finfo(torch.float32).min), 1))

    @staticmethod
    def repeat_kv(hidden_states, n_rep):
        batch, num_key_value_heads, slen, head_dim = hidden_states.shape
        if n_rep == 1:
            return hidden_states
        hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
        return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)

    def forward(self, x):
        bsz, q_len, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(bsz, q_len, self.h, self.hd)
        k = self.k_proj(h).view(bsz, q_len, self.kv, self.hd)
        v = self.v_proj(h).view(bsz, q_len, self.kv, self.hd).transpose(1, 2)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        cos, sin = self.cos_cached[:q_len], self.sin_cached[:q_len]
        if self.interleaved:
            q, k = rotate_interleaved(q, cos, sin), rotate_interleaved(k, cos, sin)
        else:
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        k = self.repeat_kv(k, self.h // self.kv)
        v = self.repeat_kv(v, self.h // self.kv)
        attn = torch.matmul(q, k.transpose(2, 3)) / self.hd ** 0.5 + self.causal[:q_len, :q_len]
        attn = torch.softmax(attn, dim=-1, dtype=torch.float32)
        a = torch.matmul(attn, v).transpose(1, 2).reshape(bsz, q_len, self.h * self.hd)
        x = x + self.o_proj(a)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(torch.nn.functional.silu(self.gate_proj(h)) * self.up_proj(h))


def decoder_blocks():
    for seed, name, kw in [(40, 'llama_block', {}), (41, 'qwen2_block', {'bias': True}),
                           (42, 'qwen3_block', {'qk_norm': True}), (43, 'rope_interleaved', {'interleaved': True})]:
        torch.manual_seed(seed)
        export(DecoderBlock(**kw), name, torch.randn(1, 8, 32), 'x', 'y', dynamic={0: 'batch', 1: 'seq'})


def gpt_heads12_model():
    torch.manual_seed(12)
    export(GptHeads12(), 'gpt_heads12', torch.randn(1, 7, 48), 'x', 'y')


def keyword_features(n, rng):
    """Log-mel-like features of a synthetic 4-keyword task: each class lights a band pattern over the
    frames; log(power) gives the large negative offset and the per-band spread of real front ends."""
    bands, frames, classes = 40, 4, 4
    proto = rng.uniform(0.0, 1.0, (classes, bands, frames)) ** 3
    y = rng.integers(0, classes, n)
    power = 0.02 + proto[y] * rng.uniform(0.3, 1.5, (n, 1, 1)) + 0.05 * rng.random((n, bands, frames))
    tilt = np.linspace(0.0, -3.0, bands)[None, :, None]
    return (np.log(power) + tilt + 0.2 * rng.standard_normal((n, bands, frames))).reshape(n, -1), y


def ln_mlp():
    rng = np.random.default_rng(14)
    X, y = keyword_features(2264, rng)
    Xtr, ytr, Xte, yte = X[:2000], y[:2000], X[2000:], y[2000:]
    torch.manual_seed(14)
    d = X.shape[1]
    mlp = torch.nn.Sequential(torch.nn.Linear(d, 64), torch.nn.LayerNorm(64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 64), torch.nn.LayerNorm(64), torch.nn.ReLU(), torch.nn.Linear(64, 4))
    train(mlp, Xtr, ytr, 30, 14)
    export(mlp, 'ln_mlp', torch.tensor(Xte[:1], dtype=torch.float32), 'input', 'logits')
    dump('ln_mlp.calib.json', [{'name': 'input', 'shape': [1, d], 'data': [float(v) for v in r]} for r in Xtr[:64]])
    dump('ln_mlp.test.json', {'X': [[float(v) for v in r] for r in Xte[64:]], 'y': [int(v) for v in yte[64:]]})
    with torch.no_grad():
        acc = (mlp(torch.tensor(Xte, dtype=torch.float32)).argmax(1).numpy() == yte).mean()
    print(f'ln_mlp: test accuracy {acc:.4f}')


class PreLnBlock(torch.nn.Module):
    def __init__(self, d, heads, t):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.fc = torch.nn.Linear(d, 4 * d)
        self.out = torch.nn.Linear(4 * d, d)
        self.register_buffer('causal', torch.tril(torch.ones(t, t)) == 0)
        self.h, self.d = heads, d

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in self.qkv(self.ln1(x)).split(C, dim=-1))
        s = (q @ k.transpose(-2, -1)) * (1.0 / (C // self.h) ** 0.5)
        a = torch.softmax(s.masked_fill(self.causal, float('-inf')), dim=-1) @ v
        x = x + self.proj(a.transpose(1, 2).reshape(B, T, C))
        return x + self.out(torch.nn.functional.gelu(self.fc(self.ln2(x)), approximate='tanh'))


def pre_ln_stack(width=64, heads=4, seq=8, name='pre_ln_stack', where=None):
    global HERE
    torch.manual_seed(15)
    stack = torch.nn.Sequential(*(PreLnBlock(width, heads, seq) for _ in range(12)))
    here, HERE = HERE, where or HERE
    try:
        export(stack, name, torch.randn(1, seq, width), 'x', 'y')
    finally:
        HERE = here


class NanoGptBlock(torch.nn.Module):
    """nanoGPT's stem and one of its blocks on hidden states: x + wpe(arange(T)) (a learned position
    table the exporter folds into a constant), pre-LN causal attention from a tril buffer, GELU MLP, ln_f."""
    def __init__(self, d=32, heads=2, t_max=16):
        super().__init__()
        self.wpe = torch.nn.Embedding(t_max, d)
        self.ln_1, self.ln_2, self.ln_f = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.c_attn = torch.nn.Linear(d, 3 * d)
        self.c_proj = torch.nn.Linear(d, d)
        self.c_fc = torch.nn.Linear(d, 4 * d)
        self.mlp_proj = torch.nn.Linear(4 * d, d)
        self.register_buffer('bias', torch.tril(torch.ones(t_max, t_max)).view(1, 1, t_max, t_max))
        self.h, self.d = heads, d

    def forward(self, x):
        B, T, C = x.size()
        x = x + self.wpe(torch.arange(0, T, dtype=torch.long))
        q, k, v = self.c_attn(self.ln_1(x)).split(self.d, dim=2)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / (k.size(-1) ** 0.5))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(torch.nn.functional.gelu(self.c_fc(self.ln_2(x))))
        return self.ln_f(x)


def nanogpt_block():
    torch.manual_seed(14)
    export(NanoGptBlock(), 'nanogpt_block', torch.randn(1, 8, 32), 'x', 'y', dynamic={0: 'batch', 1: 'seq'})


class BertMask(torch.nn.Module):
    """A BERT-style encoder layer on token ids with Hugging Face's attention_mask: token and position
    embeddings, LayerNorm, attention whose scores get (1 − mask)·finfo(float32).min (padding dropped),
    GELU MLP, post-LN."""
    def __init__(self, vocab=50, d=32, heads=4, t_max=16, masked_fill=False):
        super().__init__()
        self.tok, self.pos = torch.nn.Embedding(vocab, d), torch.nn.Embedding(t_max, d)
        self.ln_e, self.ln_1, self.ln_2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(d, d) for _ in range(4))
        self.fc, self.proj = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)
        self.h, self.masked_fill = heads, masked_fill

    def forward(self, input_ids, attention_mask):
        B, T = input_ids.shape
        x = self.ln_e(self.tok(input_ids) + self.pos(torch.arange(T).unsqueeze(0)))
        bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        heads = lambda t: t.view(B, T, self.h, -1).transpose(1, 2)
        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        att = q @ k.transpose(-1, -2) / (q.size(-1) ** 0.5)
        # The other form users write: scores.masked_fill(mask == 0, -inf) (Equal + Where on the input).
        att = att.masked_fill(attention_mask[:, None, None, :] == 0, float('-inf')) if self.masked_fill else att + bias
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(B, T, -1)
        x = self.ln_1(x + self.o(y))
        return self.ln_2(x + self.proj(torch.nn.functional.gelu(self.fc(x))))


def bert_mask(name='bert_mask', masked_fill=False):
    """bert_mask.onnx: BertMask with dynamic batch and sequence axes; its input has the last two of 8
    tokens padded (mask 0). bert_mask_fill.onnx: the same with masked_fill(mask == 0, -inf)."""
    torch.manual_seed(15)
    model = BertMask(masked_fill=masked_fill).eval()
    ids, mask = torch.randint(0, 50, (1, 8)), torch.tensor([[1, 1, 1, 1, 1, 1, 0, 0]])
    axes = {0: 'batch', 1: 'seq'}
    torch.onnx.export(model, (ids, mask), os.path.join(HERE, name + '.onnx'), input_names=['input_ids', 'attention_mask'],
                      output_names=['y'], opset_version=14, dynamic_axes={'input_ids': axes, 'attention_mask': axes, 'y': axes})
    with torch.no_grad():
        y = model(ids, mask)
    dump(name + '.input.json', [{'name': n, 'shape': [1, 8], 'data': [int(v) for v in t.ravel()]}
                                for n, t in (('input_ids', ids), ('attention_mask', mask))])
    dump(name + '.torch_output.json', tensor_json(name, 'y', y))


class FillOnScores(torch.nn.Module):
    """softmax(x.masked_fill(x == 0, -inf)): Equal + Where on an activation, not on a mask input."""
    def forward(self, x):
        return torch.softmax(x.masked_fill(x == 0, float('-inf')), dim=-1)


def masked_fill_activation():
    """masked_fill_activation.onnx: a masked_fill whose condition is computed from the scores (refused)."""
    torch.onnx.export(FillOnScores(), (torch.randn(1, 4, 8),), os.path.join(HERE, 'masked_fill_activation.onnx'),
                      input_names=['x'], output_names=['y'], opset_version=14)


def opset20_models():
    """encoder_layer_op20.onnx: encoder_layer_op14.onnx rewritten into opset 20's forms (as torch's dynamo
    exporter writes them): ReduceMean axes as an input (opset 18), the erf GELU as one Gelu node (opset
    20), ir_version 9. Written by rewriting the proto: Debian's onnx (1.12) has no converter past 17."""
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(os.path.join(HERE, 'encoder_layer_op14.onnx'))
    g = m.graph
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    nodes, dropped = [], set()
    for n in g.node:
        if id(n) in dropped:
            continue
        if n.op_type == 'ReduceMean':
            axes = [a for a in n.attribute if a.name == 'axes'][0]
            name = n.output[0] + '_axes'
            g.initializer.append(numpy_helper.from_array(np.array(list(axes.ints), dtype=np.int64), name))
            n.attribute.remove(axes)
            n.input.append(name)
        if n.op_type == 'Div' and consumers.get(n.output[0], [None])[0] is not None and consumers[n.output[0]][0].op_type == 'Erf':
            erf = consumers[n.output[0]][0]
            add = consumers[erf.output[0]][0]
            mul = consumers[add.output[0]][0]
            half = consumers[mul.output[0]][0]
            assert (add.op_type, mul.op_type, half.op_type) == ('Add', 'Mul', 'Mul')
            dropped.update(id(x) for x in (erf, add, mul, half))
            nodes.append(helper.make_node('Gelu', [n.input[0]], [half.output[0]], name='/Gelu', approximate='none'))
            continue
        nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    m.opset_import[0].version = 20
    m.ir_version = 9
    onnx.save(m, os.path.join(HERE, 'encoder_layer_op20.onnx'))


BUILDERS = {'dyn_block': dynamic_models, 'dyn_mlp': dynamic_models, 'hand_built': hand_built, 'ops': op_models,
            'encoder_layer': encoder_layer, 'decoder_blocks': decoder_blocks, 'gpt_heads12': gpt_heads12_model,
            'ln_mlp': ln_mlp, 'pre_ln_stack': pre_ln_stack, 'nanogpt_block': nanogpt_block,
            'upsample_ops': upsample_models, 'opset20': opset20_models, 'more_activations2': more_activations2,
            'bert_mask': bert_mask, 'bert_mask_fill': lambda: bert_mask('bert_mask_fill', True), 'masked_fill_activation': masked_fill_activation, 'resize_cubic': resize_cubic}


def main():
    hand_built()
    torch.manual_seed(0)
    dg = load_digits()
    X = dg.data / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, dg.target, test_size=0.25, random_state=0, stratify=dg.target)
    dump('digits_test.json', {'X': [[float(v) for v in row] for row in Xte], 'y': [int(v) for v in yte]})
    dump('digits_calib_mlp.json', [{'name': 'input', 'shape': [1, 64], 'data': [float(v) for v in r]} for r in Xtr[:64]])
    dump('digits_calib_cnn.json', [{'name': 'input', 'shape': [1, 1, 8, 8], 'data': [float(v) for v in r]} for r in Xtr[:64]])

    mlp = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Sigmoid(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
                              torch.nn.Linear(32, 10))
    train(mlp, Xtr, ytr, 40, 5)
    export(mlp, 'mlp_sigmoid', torch.tensor(Xte[:1], dtype=torch.float32), 'input', 'logits')

    class Conv(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c = torch.nn.Conv2d(1, 4, 3, stride=2, padding=1)
            self.fc = torch.nn.Linear(64, 10)

        def forward(self, x):
            return self.fc(torch.relu(self.c(x.reshape(-1, 1, 8, 8))).flatten(1))
    conv = Conv()
    train(conv, Xtr, ytr, 30, 6)
    export(conv, 'conv_small', torch.tensor(Xte[:1], dtype=torch.float32).reshape(1, 1, 8, 8), 'input', 'logits')

    torch.manual_seed(7)
    blk = TinyBlock()
    export(blk, 'tiny_block', torch.randn(1, 8, 16), 'x', 'y')
    torch.manual_seed(9)
    export(ShapeOps(), 'shape_ops', torch.randn(1, 1, 8, 8), 'x', 'y', fold=False)
    torch.manual_seed(8)
    llama = TinyLlama()
    export(llama, 'tiny_llama', torch.randn(1, 8, 16), 'x', 'y')
    torch.manual_seed(10)
    export(TinyGated(), 'tiny_gated', torch.randn(1, 8, 16), 'x', 'y')
    for builder in dict.fromkeys(BUILDERS.values()):
        builder()
    for name, m in [('mlp_sigmoid', mlp), ('conv_small', conv)]:
        with torch.no_grad():
            acc = (m(torch.tensor(Xte, dtype=torch.float32)).argmax(1).numpy() == yte).mean()
        print(f'{name}: test accuracy {acc:.4f}')


if __name__ == '__main__':
    if sys.argv[1:2] == ['pre_ln_stack_768']:
        pre_ln_stack(768, 12, 16, 'pre_ln_stack_768', sys.argv[2])
    elif len(sys.argv) > 1:
        for builder in dict.fromkeys(BUILDERS[n] for n in sys.argv[1:]):
            builder()
    else:
        main()
