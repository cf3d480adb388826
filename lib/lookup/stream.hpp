#pragma once
// The prover's message stream, bound to the Fiat–Shamir transcript. Every message is absorbed
// (with its label) in the same call that records it, so no challenge can be drawn before the
// messages preceding it are in the transcript. The verifier knows the length of every message
// from the graph and the config, so the proof is a flat sequence of QM31 elements; the reader
// rejects a short stream and `finish` rejects trailing data (soundness rule 7).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "channel/channel.hpp"
#include "error/error.hpp"
#include "field/field.hpp"

namespace zkm31::proof {

class Writer {
 public:
  explicit Writer(Channel& ch) : ch_(ch) {}
  void send(std::string_view label, std::span<const QM31> xs) {
    ch_.absorb_qm31s(label, xs);
    data_.insert(data_.end(), xs.begin(), xs.end());
  }
  void send(std::string_view label, QM31 x) { send(label, std::span<const QM31>(&x, 1)); }
  // Records elements a sub-protocol (e.g. lib/sumcheck) already absorbed itself.
  void append(std::span<const QM31> xs) { data_.insert(data_.end(), xs.begin(), xs.end()); }
  QM31 draw(std::string_view label) { return ch_.draw_qm31(label); }
  Channel& channel() { return ch_; }
  const std::vector<QM31>& data() const { return data_; }

 private:
  Channel& ch_;
  std::vector<QM31> data_;
};

class Reader {
 public:
  Reader(Channel& ch, std::span<const QM31> data) : ch_(ch), data_(data) {}
  std::vector<QM31> recv(std::string_view label, size_t n) {
    std::vector<QM31> out = take(label, n);
    ch_.absorb_qm31s(label, out);
    return out;
  }
  // Reads elements that a sub-protocol absorbs itself.
  std::vector<QM31> take(std::string_view label, size_t n) {
    require(data_.size() - pos_ >= n, std::string(label), "proof stream too short");
    std::vector<QM31> out(data_.begin() + pos_, data_.begin() + pos_ + n);
    pos_ += n;
    return out;
  }
  QM31 recv1(std::string_view label) { return recv(label, 1)[0]; }
  QM31 draw(std::string_view label) { return ch_.draw_qm31(label); }
  Channel& channel() { return ch_; }
  void finish() const { require(pos_ == data_.size(), "proof", "extra data after the end of the proof stream"); }

 private:
  Channel& ch_;
  std::span<const QM31> data_;
  size_t pos_ = 0;
};

}  // namespace zkm31::proof
