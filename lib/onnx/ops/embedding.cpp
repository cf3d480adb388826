// Gather of a constant table [V, D] by token ids (an integer graph input) → an embedding node: the
// table quantized with one symmetric scale at the residual width (the rows start the residual
// stream; an int8 table alone costs ≈ 1 % relative L2), so the gathered rows share one output scale.
#include <algorithm>
#include <cmath>

#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

void Lowerer::lower_embedding(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const& table = *cst(n.inputs[0]);  // the loader admits token ids only into a constant [V, D] table
  const double qmax = double(qres_);
  double s = std::max(absmax(table), 1e-12) / qmax;
  std::vector<int32_t> q(table.data.size());
  std::vector<float> original(table.data.size());
  for (size_t k = 0; k < q.size(); ++k) {
    q[k] = int32_t(std::clamp<double>(std::round(table.data[k] / s), -qmax, qmax));
    original[k] = float(table.data[k]);
  }
  uint32_t w = weight(n.name + ":table", table.shape, std::move(q), std::move(original), {s});
  uint32_t y = emit(node(Op::Embedding, n.name, {w, tid(n.inputs[1])}), n.outputs[0], s);
  if (qres_ > qmax_) wide_ids_.insert(y);
  bind(n.outputs[0], y);
}

}  // namespace zkm31::onnx_import
