#include "hf/builder.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "error/error.hpp"

namespace zkm31::hf {

namespace {

std::string dims_text(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

}  // namespace

Model::Model(const std::string& dir) : dir_(dir), ckpt_([&] {
  std::ifstream f(std::filesystem::path(dir) / "config.json");
  if (!f) throw BadInput("--hf " + dir + ": no config.json there");
  std::stringstream text;
  text << f.rdbuf();
  try {
    config_ = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw BadInput("--hf " + dir + ": malformed config.json: " + e.what());
  }
  if (!config_.is_object()) throw BadInput("--hf " + dir + ": config.json is not a JSON object");
  return safetensors::Checkpoint::open(dir);
}()) {}

std::string Model::text(const std::string& key) const {
  auto it = config_.find(key);
  if (it == config_.end() || !it->is_string()) throw BadInput("config.json: '" + key + "' must be a string");
  return it->get<std::string>();
}

int64_t Model::integer(const std::string& key) const {
  auto it = config_.find(key);
  if (it == config_.end() || !it->is_number_integer() || it->get<int64_t>() < 1)
    throw BadInput("config.json: '" + key + "' must be a positive integer");
  return it->get<int64_t>();
}

int64_t Model::integer(const std::string& key, int64_t def) const {
  auto it = config_.find(key);
  return it == config_.end() || it->is_null() ? def : integer(key);
}

double Model::number(const std::string& key, double def) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return def;
  if (!it->is_number()) throw BadInput("config.json: '" + key + "' must be a number");
  return it->get<double>();
}

bool Model::flag(const std::string& key, bool def) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return def;
  if (!it->is_boolean()) throw BadInput("config.json: '" + key + "' must be true or false");
  return it->get<bool>();
}

Weight Model::weight(const std::string& name, const Dims& shape) const {
  const auto& t = ckpt_.tensor(name);
  Dims have(t.shape.begin(), t.shape.end());
  if (have != shape)
    throw BadInput("checkpoint tensor '" + name + "' has shape " + dims_text(have) + ", config.json implies " + dims_text(shape));
  Weight w{shape, std::vector<float>(t.numel)};
  ckpt_.read(t, w.data);
  return w;
}

Weight transposed(const Weight& w) {
  const int64_t a = w.shape.at(0), b = w.shape.at(1);
  Weight t{{b, a}, std::vector<float>(w.data.size())};
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j) t.data[size_t(j * a + i)] = w.data[size_t(i * b + j)];
  return t;
}

std::pair<int64_t, int64_t> layer_range(const Options& opt, int64_t n_layers) {
  int64_t end = opt.end_layer < 0 ? n_layers : opt.end_layer;
  if (opt.first_layer >= end || end > n_layers)
    throw BadInput("--layers " + std::to_string(opt.first_layer) + ":" + std::to_string(end) + " is not a non-empty range of the " +
                   std::to_string(n_layers) + " layers");
  return {opt.first_layer, end};
}

void parse_layers(const std::string& text, Options& opt) {
  auto bad = [&] { return BadInput("--layers '" + text + "': expected A:B (layers A to B−1; either side may be empty)"); };
  size_t colon = text.find(':');
  if (colon == std::string::npos) throw bad();
  auto number = [&](const std::string& s, int64_t def) {
    if (s.empty()) return def;
    if (s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) throw bad();
    return int64_t(std::stoll(s));
  };
  opt.first_layer = number(text.substr(0, colon), 0);
  opt.end_layer = number(text.substr(colon + 1), -1);
  if (opt.end_layer >= 0 && opt.end_layer <= opt.first_layer) throw bad();
}

Builder::Builder(const std::string& name) : graph_(model_.mutable_graph()) {
  model_.set_ir_version(8);
  model_.set_producer_name("zkm31 onnx2graph --hf");
  model_.add_opset_import()->set_version(17);
  graph_->set_name(name);
}

std::string Builder::fresh(const std::string& base) {
  int k = counts_[base]++;
  return k ? base + "_" + std::to_string(k) : base;
}

namespace {

void set_type(onnx::ValueInfoProto* v, const std::string& name, int32_t elem, const Dims& shape) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem);
  for (int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
}

}  // namespace

std::string Builder::input_ids(int64_t seq) {
  set_type(graph_->add_input(), "input_ids", onnx::TensorProto::INT64, {1, seq});
  return "input_ids";
}

std::string Builder::input_hidden(int64_t seq, int64_t hidden) {
  set_type(graph_->add_input(), "hidden_states", onnx::TensorProto::FLOAT, {1, seq, hidden});
  return "hidden_states";
}

void Builder::output(const std::string& value, const std::string& name, const Dims& shape) {
  for (auto& n : *graph_->mutable_node()) {  // the graph output takes the producing node's value name
    for (auto& o : *n.mutable_output())
      if (o == value) o = name;
    for (auto& i : *n.mutable_input())
      if (i == value) i = name;
  }
  set_type(graph_->add_output(), name, onnx::TensorProto::FLOAT, shape);
}

std::string Builder::init(const std::string& name, const Weight& w) {
  auto* t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : w.shape) t->add_dims(d);
  t->set_raw_data(reinterpret_cast<const char*>(w.data.data()), w.data.size() * sizeof(float));
  return name;
}

std::string Builder::init_bools(const Dims& shape, const std::vector<bool>& values) {
  auto* t = graph_->add_initializer();
  t->set_name(fresh("onnx::mask"));
  t->set_data_type(onnx::TensorProto::BOOL);
  for (int64_t d : shape) t->add_dims(d);
  for (bool v : values) t->add_int32_data(v);
  return t->name();
}

std::string Builder::scalar(float v) {
  auto* n = node("Constant", {});
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_float_data(v);
  return n->output(0);
}

std::string Builder::ints(const std::vector<int64_t>& values) {
  auto* n = node("Constant", {});
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  a->mutable_t()->add_dims(int64_t(values.size()));
  for (int64_t v : values) a->mutable_t()->add_int64_data(v);
  return n->output(0);
}

onnx::NodeProto* Builder::node(const std::string& op, const std::vector<std::string>& inputs, int outputs) {
  auto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(fresh("/" + op));
  for (const auto& in : inputs) n->add_input(in);
  for (int k = 0; k < outputs; ++k) n->add_output(n->name() + "_output_" + std::to_string(k));
  return n;
}

void Builder::attr(onnx::NodeProto* n, const std::string& key, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(key), a->set_type(onnx::AttributeProto::INT), a->set_i(v);
}

void Builder::attr(onnx::NodeProto* n, const std::string& key, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(key), a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void Builder::attr(onnx::NodeProto* n, const std::string& key, float v) {
  auto* a = n->add_attribute();
  a->set_name(key), a->set_type(onnx::AttributeProto::FLOAT), a->set_f(v);
}

std::string Builder::linear(const std::string& x, const std::string& name, const Weight& w_in_out, const Weight* bias) {
  std::string y = op("MatMul", {x, init(name + ".weight", w_in_out)});
  return bias ? op("Add", {y, init(name + ".bias", *bias)}) : y;
}

std::string Builder::transpose(const std::string& x, const std::vector<int64_t>& perm) {
  auto* t = node("Transpose", {x});
  attr(t, "perm", perm);
  return t->output(0);
}

std::string Builder::serialize() const { return model_.SerializeAsString(); }

}  // namespace zkm31::hf
