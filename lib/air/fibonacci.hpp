#pragma once
// The test AIR: a Fibonacci-like sequence (a, b) → (b, a + b) over 2^n rows whose last b is public.
// The starting pair is the witness, so different witnesses share a public input (the zero-knowledge
// tests rely on it).
#include "air/eval.hpp"

namespace zkm31::air {

class Fibonacci final : public Evaluated<Fibonacci> {
 public:
  Fibonacci(unsigned log_size, M31 result) : log_size_(log_size), result_(result) {}
  std::string name() const override { return "fibonacci"; }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return log_size_; }
  size_t main_columns() const override { return 2; }
  size_t lookups() const override { return 0; }
  size_t constraints() const override { return 3; }
  unsigned degree() const override { return 2; }
  std::vector<M31> public_inputs() const override { return {result_}; }

  template <class E>
  void eval(E& e) const {
    const auto a = e.main(0, Row::Cur), b = e.main(1, Row::Cur);
    e.constrain((e.main(0, Row::Next) - b) * e.not_last());
    e.constrain((e.main(1, Row::Next) - a - b) * e.not_last());
    e.constrain((b - e.constant(result_)) * e.last());
  }

  // The witness from a starting pair, and the public result it leads to.
  static Columns trace(unsigned log_size, M31 a0, M31 b0);
  static M31 result(const Columns& trace) { return trace[1].back(); }

 private:
  unsigned log_size_;
  M31 result_;
};

}  // namespace zkm31::air
