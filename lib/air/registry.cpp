#include "air/registry.hpp"

#include <map>

#include "air/fibonacci.hpp"
#include "air/poseidon2.hpp"
#include "air/range.hpp"
#include "error/error.hpp"

namespace zkm31::air {
namespace {

void expect_public(std::string_view name, std::span<const M31> got, size_t want) {
  if (got.size() != want)
    throw BadInput("component " + std::string(name) + " takes " + std::to_string(want) + " public inputs, got " +
                   std::to_string(got.size()));
}

std::map<std::string, Factory, std::less<>>& registered() {
  static std::map<std::string, Factory, std::less<>> factories;
  return factories;
}

}  // namespace

void register_component(const std::string& name, Factory factory) { registered()[name] = std::move(factory); }

std::shared_ptr<const Component> make_component(std::string_view name, uint32_t version, unsigned log_size,
                                                std::span<const M31> pub) {
  std::shared_ptr<const Component> c;
  if (name == "fibonacci") {
    expect_public(name, pub, 1);
    c = std::make_shared<Fibonacci>(log_size, pub[0]);
  } else if (name == "range_check") {
    expect_public(name, pub, 0);
    c = std::make_shared<RangeCheck>(log_size);
  } else if (name == "decompose31") {
    expect_public(name, pub, 0);
    c = std::make_shared<Decompose31>(log_size);
  } else if (name == "poseidon2") {
    expect_public(name, pub, 0);
    c = std::make_shared<Poseidon2>(log_size);
  } else if (const auto it = registered().find(name); it != registered().end()) {
    c = it->second(log_size, pub);
  } else {
    throw NotSupported("component '" + std::string(name) + "'");
  }
  if (c->version() != version)
    throw NotSupported("component " + std::string(name) + " version " + std::to_string(version) + " (this build has " +
                       std::to_string(c->version()) + ")");
  return c;
}

std::vector<std::string> example_names() { return {"fibonacci", "range", "poseidon2"}; }

Instance example(std::string_view name, unsigned log_rows, std::mt19937_64& rng) {
  if (log_rows < 3 || log_rows > 24) throw BadInput("--log-rows " + std::to_string(log_rows) + " outside 3..24");
  auto random_m31 = [&] { return M31(uint32_t(rng() % kP)); };
  Instance out;
  if (name == "fibonacci") {
    out.traces = {Fibonacci::trace(log_rows, random_m31(), random_m31())};
    out.components = {std::make_shared<Fibonacci>(log_rows, Fibonacci::result(out.traces[0]))};
  } else if (name == "range") {
    std::vector<M31> xs(size_t(1) << log_rows);
    for (auto& x : xs) x = random_m31();
    out.traces = {Decompose31::trace(log_rows, xs)};
    out.traces.push_back(RangeCheck::trace(16, Decompose31::looked_up(out.traces[0])));
    out.components = {std::make_shared<Decompose31>(log_rows), std::make_shared<RangeCheck>(16)};
  } else if (name == "poseidon2") {
    std::vector<poseidon2::State> inputs(size_t(1) << log_rows);
    for (auto& st : inputs)
      for (auto& x : st) x = random_m31();
    out.traces = {Poseidon2::trace(log_rows, inputs)};
    out.components = {std::make_shared<Poseidon2>(log_rows)};
  } else {
    throw NotSupported("example '" + std::string(name) + "'");
  }
  return out;
}

}  // namespace zkm31::air
