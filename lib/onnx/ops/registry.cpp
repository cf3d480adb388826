// ONNX op type → the Lowerer entry point of its family. The loader keeps a live node only when
// its op is listed here (every other op must fold to a constant).
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

const std::map<std::string, Lowerer::Lowering>& Lowerer::registry() {
  static const std::map<std::string, Lowering> table = {
      {"MatMul", &Lowerer::lower_matmul},
      {"Gemm", &Lowerer::lower_matmul},
      {"Conv", &Lowerer::lower_conv},
      {"ConvTranspose", &Lowerer::lower_conv_transpose},
      {"MaxPool", &Lowerer::lower_pool},
      {"AveragePool", &Lowerer::lower_pool},
      {"GlobalAveragePool", &Lowerer::lower_global_pool},
      {"GlobalMaxPool", &Lowerer::lower_global_pool},
      {"Relu", &Lowerer::lower_relu},
      {"Clip", &Lowerer::lower_clip},
      {"HardSigmoid", &Lowerer::lower_hard_sigmoid},
      {"HardSwish", &Lowerer::lower_hard_swish},
      {"LeakyRelu", &Lowerer::lower_leaky_relu},
      {"PRelu", &Lowerer::lower_prelu},
      {"Sigmoid", &Lowerer::lower_table_fn},
      {"Tanh", &Lowerer::lower_table_fn},
      {"Erf", &Lowerer::lower_table_fn},
      {"Exp", &Lowerer::lower_table_fn},
      {"Softplus", &Lowerer::lower_table_fn},
      {"Elu", &Lowerer::lower_elu},
      {"Selu", &Lowerer::lower_selu},
      {"Celu", &Lowerer::lower_celu},
      {"Log", &Lowerer::lower_table_fn},
      {"Softsign", &Lowerer::lower_table_fn},
      {"Abs", &Lowerer::lower_abs},
      {"Sqrt", &Lowerer::lower_table_fn},
      {"Reciprocal", &Lowerer::lower_table_fn},
      {"Add", &Lowerer::lower_add_sub},
      {"Sub", &Lowerer::lower_add_sub},
      {"Mul", &Lowerer::lower_mul},
      {"Div", &Lowerer::lower_div},
      {"Neg", &Lowerer::lower_neg},
      {"Pow", &Lowerer::lower_pow},
      {"Where", &Lowerer::lower_where},
      {"Equal", &Lowerer::lower_mask_only},
      {"Not", &Lowerer::lower_mask_only},
      {"Softmax", &Lowerer::lower_softmax},
      {"LogSoftmax", &Lowerer::lower_log_softmax},
      {"ReduceMean", &Lowerer::lower_reduce_mean},
      {"ReduceSum", &Lowerer::lower_reduce_sum},
      {"ReduceMax", &Lowerer::lower_reduce_max},
      {"LayerNormalization", &Lowerer::lower_layer_norm},
      {"BatchNormalization", &Lowerer::lower_batch_norm},
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
      {"Pad", &Lowerer::lower_pad},
      {"Expand", &Lowerer::lower_expand},
      {"Tile", &Lowerer::lower_expand},
      {"Resize", &Lowerer::lower_resize},
  };
  return table;
}

bool has_lowering(const std::string& op) { return Lowerer::registry().count(op) > 0; }

}  // namespace zkm31::onnx_import
