// ONNX op type → the Lowerer entry point of its family. The loader keeps a live node only when
// its op is listed here (every other op must fold to a constant).
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

const std::map<std::string, Lowerer::Lowering>& Lowerer::registry() {
  static const std::map<std::string, Lowering> table = {
      {"MatMul", &Lowerer::lower_matmul},
      {"Gemm", &Lowerer::lower_matmul},
      {"Conv", &Lowerer::lower_conv},
      {"Relu", &Lowerer::lower_relu},
      {"Sigmoid", &Lowerer::lower_table_fn},
      {"Tanh", &Lowerer::lower_table_fn},
      {"Erf", &Lowerer::lower_table_fn},
      {"Sqrt", &Lowerer::lower_table_fn},
      {"Reciprocal", &Lowerer::lower_table_fn},
      {"Add", &Lowerer::lower_add_sub},
      {"Sub", &Lowerer::lower_add_sub},
      {"Mul", &Lowerer::lower_mul},
      {"Div", &Lowerer::lower_div},
      {"Neg", &Lowerer::lower_neg},
      {"Pow", &Lowerer::lower_pow},
      {"Where", &Lowerer::lower_where},
      {"Softmax", &Lowerer::lower_softmax},
      {"ReduceMean", &Lowerer::lower_reduce_mean},
      {"LayerNormalization", &Lowerer::lower_layer_norm},
      {"Identity", &Lowerer::lower_identity},
      {"Cast", &Lowerer::lower_identity},
      {"Reshape", &Lowerer::lower_reshape},
      {"Flatten", &Lowerer::lower_reshape},
      {"Squeeze", &Lowerer::lower_reshape},
      {"Unsqueeze", &Lowerer::lower_reshape},
      {"Transpose", &Lowerer::lower_transpose},
      {"Slice", &Lowerer::lower_slice},
      {"Split", &Lowerer::lower_split},
      {"Concat", &Lowerer::lower_concat},
      {"Gather", &Lowerer::lower_gather},
  };
  return table;
}

bool has_lowering(const std::string& op) { return Lowerer::registry().count(op) > 0; }

}  // namespace zkm31::onnx_import
