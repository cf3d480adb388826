#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "circle/fft.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "merkle/merkle.hpp"
#include "pcs/pcs.hpp"
#include "pcs/testing.hpp"
#include "poly/multilinear.hpp"

using namespace zkm31;
using pcs::Claim;
using pcs::Config;

namespace {

std::mt19937_64 rng(17);
M31 rand_m31() { return M31(uint32_t(rng() % kP)); }
QM31 rand_qm31() { return QM31(rand_m31(), rand_m31(), rand_m31(), rand_m31()); }
std::vector<M31> rand_vec(unsigned n) {
  std::vector<M31> v(size_t(1) << n);
  for (auto& x : v) x = rand_m31();
  return v;
}
std::vector<Claim> claims_for(const std::vector<M31>& e, unsigned n, size_t count) {
  std::vector<Claim> out;
  for (size_t i = 0; i < count; ++i) {
    Claim c;
    for (unsigned k = 0; k < n; ++k) c.point.push_back(rand_qm31());
    c.value = poly::evaluate(e, c.point);
    out.push_back(c);
  }
  return out;
}

// Small, fast parameters for the structural tests (the floor is lowered accordingly).
const Config kTest{1, 20, 4, 2, 1};

struct Fixture {
  unsigned n;
  Config cfg;
  std::vector<M31> e;
  pcs::Committed com;
  std::vector<Claim> claims;
  pcs::OpeningProof proof;
  Fixture(unsigned n_, Config c, size_t n_claims = 2)
      : n(n_), cfg(c), e(rand_vec(n_)), com(pcs::commit(e, c)), claims(claims_for(e, n_, n_claims)) {
    Channel ch("pcs-test");
    proof = pcs::open(com, claims, ch);
  }
  void verify(const pcs::OpeningProof& p, double floor = 0) const { verify_claims(p, claims, floor); }
  void verify_claims(const pcs::OpeningProof& p, const std::vector<Claim>& cl, double floor = 0) const {
    Channel ch("pcs-test");
    pcs::verify(com.root(), n, cl, p, ch, floor);
  }
};

// Expects Rejected whose message contains `check`: the named check, not some other one, fired.
template <typename Fn>
void expect_rejected(Fn&& fn, const std::string& check) {
  try {
    fn();
    ADD_FAILURE() << "not rejected; expected: " << check;
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find(check), std::string::npos) << e.what() << " (expected: " << check << ")";
  }
}

QM31 qm(const nlohmann::json& j) {
  return QM31(M31(j[0].get<uint32_t>()), M31(j[1].get<uint32_t>()), M31(j[2].get<uint32_t>()), M31(j[3].get<uint32_t>()));
}

}  // namespace

TEST(Pcs, HonestOpeningsVerify) {
  for (unsigned n : {0u, 1u, 2u, 3u, 5u, 8u, 11u})
    for (Config c : {kTest, Config{2, 12, 4, 3, 0}, Config{1, 20, 4, 1, 3}, Config{1, 20, 4, 4, 6}, Config{1, 20, 4, 2, 1, 5}})
      for (size_t k : {size_t(1), size_t(3)}) {
        Fixture f(n, c, k);
        EXPECT_NO_THROW(f.verify(f.proof)) << n << " fold_step " << c.fold_step << " final_log " << c.final_log;
        EXPECT_EQ(f.proof.config, c);
      }
}

TEST(Pcs, DefaultConfigAndSerialization) {
  // 96 bits through queries rather than a long proof of work, to keep the test fast.
  Fixture f(10, Config{1, 90, 6});
  EXPECT_DOUBLE_EQ(pcs::security_bits(Config{}), 96);
  EXPECT_DOUBLE_EQ(pcs::security_bits(Config{1, 90, 6}), 96);
  EXPECT_NEAR(pcs::provable_security_bits(Config{}, 20), 70 * 0.415 + 26, 0.1);
  EXPECT_NEAR(pcs::provable_security_bits(Config{1, 400, 26}, 24), 124 - std::log2(24.0 * (1 << 25) + 48 + 64), 1e-9);
  EXPECT_DOUBLE_EQ(pcs::security_bits(Config{3, 200, 26}), 117);  // capped by the field
  EXPECT_NO_THROW(f.verify(f.proof, 96));
  artifact::BodyWriter w(1);
  w.key("opening");
  f.proof.write(w);
  auto h = artifact::parse_body(w.bytes(), "test body");
  artifact::MapView m(h.get(), "proof");
  auto back = pcs::OpeningProof::read(m.map("opening"));
  EXPECT_NO_THROW(f.verify(back, 96));
  EXPECT_EQ(f.proof.bytes() + 9, w.bytes().size());  // 1-entry map header + "opening" key
  // The prover's and verifier's transcripts end in the same state.
  Channel pc("pcs-test"), vc("pcs-test");
  auto p2 = pcs::open(f.com, f.claims, pc);
  pcs::verify(f.com.root(), 10, f.claims, p2, vc, 96);
  EXPECT_EQ(pc.state(), vc.state());
}

TEST(Pcs, MatchesPythonPrototype) {
  std::ifstream in(std::string(ZKM31_SOURCE_DIR) + "/tests/unit/pcs/data/basefold_vectors.json");
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in);
  for (const auto& cs : j["cases"]) {
    const unsigned n = cs["n"], B = cs["log_blowup"], m = n + B;
    std::vector<M31> e;
    for (auto v : cs["e"]) e.push_back(M31(v.get<uint32_t>()));
    std::vector<M31> c = e;
    poly::mobius(c);
    auto cw = circle::evaluate(c, m);
    ASSERT_EQ(cw.size(), cs["codeword"].size());
    for (size_t i = 0; i < cw.size(); ++i) ASSERT_EQ(cw[i].v, cs["codeword"][i].get<uint32_t>()) << i;
    // The commitment is the Merkle tree over cosets {j + t·2^{m−k0}} of that codeword.
    for (unsigned step : {1u, 2u}) {
      Config cfg{B, 8, 0, step, 0};
      const size_t w = size_t(1) << std::min(step, n), rows = cw.size() / w;
      std::vector<M31> r(cw.size());
      for (size_t jj = 0; jj < rows; ++jj)
        for (size_t t = 0; t < w; ++t) r[jj * w + t] = cw[jj + t * rows];
      EXPECT_EQ(pcs::commit(e, cfg).root(), merkle::Tree(r, w).root());
    }
    std::vector<QM31> s;
    for (const auto& x : cs["challenges"]) s.push_back(qm(x));
    std::vector<QM31> layer;
    for (unsigned i = 0; i < n; ++i) {
      layer = i == 0 ? fri::fold_circle(cw, s[0]) : fri::fold_line(layer, s[i]);
      ASSERT_EQ(layer.size(), cs["layers"][i].size());
      for (size_t k = 0; k < layer.size(); ++k) ASSERT_EQ(layer[k], qm(cs["layers"][i][k]));
    }
    EXPECT_EQ(poly::evaluate(e, s), qm(cs["mle"]));
    EXPECT_EQ(layer[0], qm(cs["final_constant"]));
    EXPECT_EQ(layer[0], qm(cs["mle"]) * M31(2).pow(n));  // final constant = 2^n·MLE(e)(s)
  }
}

TEST(Pcs, RejectsWrongClaimedValue) {
  Fixture f(7, kTest);
  auto bad = f.claims;
  bad[1].value += QM31::one();
  expect_rejected([&] { f.verify_claims(f.proof, bad); }, "final message does not match the sumcheck claim");
  auto moved = f.claims;
  moved[0].point[3] += QM31::one();
  expect_rejected([&] { f.verify_claims(f.proof, moved); }, "pcs");
}

TEST(Pcs, RejectsTamperedOpenings) {
  Fixture f(9, kTest);
  ASSERT_GE(f.proof.layer_rows.size(), 2u);
  auto p = f.proof;
  p.rows0[5] += M31::one();  // a codeword entry
  expect_rejected([&] { f.verify(p); }, "layer 0 decommitment");
  p = f.proof;
  p.layer_rows[1][3] += QM31::one();  // a folded layer value
  expect_rejected([&] { f.verify(p); }, "layer 4 decommitment");
  p = f.proof;
  p.paths[0].siblings[0][0] ^= 1;  // a Merkle path
  expect_rejected([&] { f.verify(p); }, "layer 0 decommitment");
  p = f.proof;
  p.paths[2].siblings.back()[31] ^= 1;
  expect_rejected([&] { f.verify(p); }, "decommitment");
}

TEST(Pcs, RejectsTamperedFinalMessageAndRounds) {
  Fixture f(8, kTest);
  auto p = f.proof;
  p.final_message[1] += QM31::one();
  expect_rejected([&] { f.verify(p); }, "final message does not match the sumcheck claim");
  p = f.proof;
  p.rounds[2][1] += QM31::one();
  expect_rejected([&] { f.verify(p); }, "final message does not match the sumcheck claim");
  p = f.proof;
  p.rounds[2].pop_back();
  expect_rejected([&] { f.verify(p); }, "pcs/sumcheck");
}

// A prover whose codeword (or a folded layer) is corrupted but who runs the honest sumcheck and sends
// the honest final message: caught by the query phase.
TEST(Pcs, RejectsCorruptedCodewordAndLayer) {
  const unsigned n = 9;
  auto e = rand_vec(n);
  auto claims = claims_for(e, n, 1);
  {
    auto com = pcs::testing::commit(e, kTest, {0, 2});
    Channel pc("pcs-test"), vc("pcs-test");
    auto proof = pcs::testing::open(com, claims, pc, {0, 2});
    // The later layers are encoded from the honest message, so the first fold from layer 0 disagrees.
    expect_rejected([&] { pcs::verify(com.root(), n, claims, proof, vc, 0); }, "fold consistency at layer 2");
  }
  {
    auto com = pcs::commit(e, kTest);
    Channel pc("pcs-test"), vc("pcs-test");
    auto proof = pcs::testing::open(com, claims, pc, {4, 2});
    // Every other entry of each committed row of layer 4 is off: folding those rows into layer 6 fails.
    expect_rejected([&] { pcs::verify(com.root(), n, claims, proof, vc, 0); }, "fold consistency at layer 6");
  }
}

TEST(Pcs, RejectsWrongRootTruncationPowAndConfig) {
  Fixture f(8, Config{1, 20, 12, 2, 1});
  Channel ch("pcs-test");
  auto root = f.com.root();
  root[0] ^= 1;
  EXPECT_THROW(pcs::verify(root, 8, f.claims, f.proof, ch, 0), Rejected);
  auto p = f.proof;
  p.rows0.resize(p.rows0.size() - 4);  // one query fewer
  expect_rejected([&] { f.verify(p); }, "layer 0 opens");
  p = f.proof;
  p.layer_rows[0].resize(p.layer_rows[0].size() - 4);
  expect_rejected([&] { f.verify(p); }, "layer 2 opens");
  p = f.proof;
  p.layer_roots.pop_back();  // a missing layer
  expect_rejected([&] { f.verify(p); }, "layer roots");
  p = f.proof;
  p.paths.pop_back();
  expect_rejected([&] { f.verify(p); }, "opens");
  p = f.proof;
  p.final_message.pop_back();
  expect_rejected([&] { f.verify(p); }, "final message has");
  p = f.proof;
  p.pow_nonce += 1;
  expect_rejected([&] { f.verify(p); }, "proof of work");
  // Below the floor: 20 queries · 1 + 12 = 32 bits.
  expect_rejected([&] { f.verify(f.proof, 96); }, "config gives 32.0 bits < floor 96");
  p = f.proof;
  p.config.queries = 19;  // the config is bound by the transcript
  EXPECT_THROW(f.verify(p), Rejected);
  p.config.queries = 0;
  expect_rejected([&] { f.verify(p); }, "queries 0 outside");
  EXPECT_THROW(pcs::check_floor(Config{1, 70, 20}), Rejected);
  EXPECT_NO_THROW(pcs::check_floor(Config{1, 70, 26}));
  EXPECT_NO_THROW(pcs::check_floor(Config{}));
}

TEST(Pcs, RejectsMalformedSerialization) {
  Fixture f(6, kTest);
  // Bodies are {"o": <opening>}.
  auto encode = [&](auto&& patch) {
    artifact::BodyWriter w(1);
    w.key("o");
    patch(w);
    return std::vector<uint8_t>(w.bytes().begin(), w.bytes().end());
  };
  auto parse_and_read = [&](const std::vector<uint8_t>& b) {
    auto h = artifact::parse_body(b, "opening");
    return pcs::OpeningProof::read(artifact::MapView(h.get(), "body").map("o"));
  };
  EXPECT_NO_THROW(parse_and_read(encode([&](artifact::BodyWriter& w) { f.proof.write(w); })));
  // An extra field.
  artifact::BodyWriter inner(1);
  inner.key("o");
  f.proof.write(inner);
  auto ih = artifact::parse_body(inner.bytes(), "x");
  const msgpack::object& fields = ih.get().via.map.ptr[0].val;
  auto extra = encode([&](artifact::BodyWriter& w) {
    w.pk.pack_map(fields.via.map.size + 1);
    for (const auto& kv : std::span(fields.via.map.ptr, fields.via.map.size)) {
      w.pk.pack(kv.key);
      w.pk.pack(kv.val);
    }
    w.key("extra");
    w.pk.pack(1);
  });
  expect_rejected([&] { parse_and_read(extra); }, "exactly 8 fields");
  // A residue ≥ p in the final message.
  auto bad_residue = encode([&](artifact::BodyWriter& w) {
    w.pk.pack_map(fields.via.map.size);
    for (const auto& kv : std::span(fields.via.map.ptr, fields.via.map.size)) {
      w.pk.pack(kv.key);
      if (kv.key.as<std::string>() == "final") {
        std::vector<uint32_t> raw(4 * f.proof.final_message.size(), 1);
        raw[0] = kP;
        w.u32s(raw);
      } else {
        w.pk.pack(kv.val);
      }
    }
  });
  expect_rejected([&] { parse_and_read(bad_residue); }, "malformed opening proof");
}

TEST(Pcs, BadInputs) {
  EXPECT_THROW(pcs::commit(std::vector<M31>(6), kTest), BadInput);
  EXPECT_THROW(pcs::commit(std::vector<M31>(8), Config{0, 20, 4, 2, 1}), BadInput);
  auto com = pcs::commit(rand_vec(4), kTest);
  Channel ch("x");
  std::vector<Claim> wrong = {Claim{std::vector<QM31>(3), QM31()}};
  EXPECT_THROW(pcs::open(com, wrong, ch), BadInput);
  EXPECT_THROW(pcs::open(com, {}, ch), BadInput);
}
