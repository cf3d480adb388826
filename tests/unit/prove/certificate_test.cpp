// The weight certificate inside whole proofs: the prover refuses a weight outside its interval; a
// forged certificate, one of another model, graph or config, a re-encoded change to its stream and
// random mutations of its body are rejected by verify, naming the certificate; the certificate cache
// reloads, and ignores (with a warning) then rewrites a damaged or foreign file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "files.hpp"
#include "../gkr/mlp_fixture.hpp"
#include "edit.hpp"
#include "error/error.hpp"
#include "prove/certificate.hpp"

using namespace zkm31;
using test::fast, test::lenient, test::with_field, test::field_bytes;
namespace fs = std::filesystem;

using test::slurp, test::spit, test::TempDir;

namespace {

// wide: b1 in [−3000, 3000] is proven by range limbs, the other weights by interval tables.
model::Trace mlp_trace(uint32_t seed, bool per_channel = true) {
  return fixture::forward(fixture::make_mlp(6, 8, 3, seed, per_channel, true));
}

const std::vector<uint8_t>& honest() {
  static const std::vector<uint8_t> p = prove::prove(mlp_trace(51), fast());
  return p;
}

std::vector<uint8_t> certificate_of(const std::vector<uint8_t>& proof) { return field_bytes(proof, "weight_certificate"); }

std::vector<uint8_t> with_certificate(const std::vector<uint8_t>& proof, const std::vector<uint8_t>& cert) {
  return with_field(proof, "weight_certificate", [&](artifact::BodyWriter& w) { w.bin(cert); });
}

// A certificate body field replaced, its checksum fixed.
std::vector<uint8_t> edit_certificate(const std::vector<uint8_t>& cert, std::string_view key,
                                      const std::function<void(artifact::BodyWriter&)>& value) {
  return with_field(cert, key, value, "weight-certificate", prove::kCertificateVersion);
}

// Verify rejects the proof, and the rejection names the weight certificate.
void expect_certificate_rejected(const std::vector<uint8_t>& proof, const std::string& what,
                                 const std::string& detail = "") {
  try {
    prove::verify(proof, lenient());
    ADD_FAILURE() << what << ": accepted";
  } catch (const Rejected& e) {
    EXPECT_EQ(std::string(e.what()).rfind("weight certificate", 0), 0u) << what << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(detail), std::string::npos) << what << ": " << e.what();
  }
}


}  // namespace

TEST(Certificate, HonestProofCarriesAndChecksIt) {
  EXPECT_NO_THROW(prove::verify(honest(), lenient()));
  const auto cert = certificate_of(honest());
  auto env = artifact::unwrap(cert, "weight-certificate", prove::kCertificateVersion);
  auto h = artifact::parse_body(env.body, "certificate");
  artifact::MapView m(h.get(), "certificate");
  EXPECT_EQ(m.str("protocol"), prove::kCertificateProtocol);
  EXPECT_EQ(field_bytes(cert, "weight_root", "weight-certificate", prove::kCertificateVersion),
            field_bytes(honest(), "weight_root"));
}

TEST(Certificate, ProverRefusesAWeightOutsideItsInterval) {
  auto m = fixture::make_mlp(6, 8, 3, 52, true, true);
  m.g.weights[1].values[0] = 3005;  // b1 declared in [−3000, 3000]; the forward pass uses it
  try {
    prove::prove(fixture::forward(m), fast());
    ADD_FAILURE() << "proved";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("weight b1 holds 3005, outside its declared interval [-3000, 3000]"),
              std::string::npos)
        << e.what();
  }
}

TEST(Certificate, ForgedCertificateRejected) {
  for (auto [tensor, value, detail] : {std::tuple<size_t, int32_t, std::string>{1, 3005, "weights b1"},
                                       {2, -128, "LogUp sum is not zero"}}) {
    auto m = fixture::make_mlp(6, 8, 3, 53, true, true);
    m.g.weights[tensor].values[3] = value;
    prove::Options o = fast();
    o.forge_certificate = true;
    expect_certificate_rejected(prove::prove(fixture::forward(m), o), "forged " + std::to_string(tensor), detail);
  }
}

TEST(Certificate, CertificateOfAnotherModelRejected) {
  // Same architecture (same graph digest), other weights: another weight root.
  const auto other = prove::prove(mlp_trace(54), fast());
  ASSERT_EQ(field_bytes(other, "graph_digest"), field_bytes(honest(), "graph_digest"));
  ASSERT_NE(field_bytes(other, "weight_root"), field_bytes(honest(), "weight_root"));
  EXPECT_NO_THROW(prove::verify(other, lenient()));
  expect_certificate_rejected(with_certificate(honest(), certificate_of(other)), "spliced", "made for other weights");
  // Its statement fields rewritten to this proof's: the transcript still binds the other model.
  const auto root = field_bytes(honest(), "weight_root");
  const auto relabelled =
      edit_certificate(certificate_of(other), "weight_root", [&](artifact::BodyWriter& w) { w.bin(root); });
  expect_certificate_rejected(with_certificate(honest(), relabelled), "relabelled");
  // Another graph (scalar requant multipliers).
  const auto other_graph = prove::prove(mlp_trace(51, false), fast());
  ASSERT_NE(field_bytes(other_graph, "graph_digest"), field_bytes(honest(), "graph_digest"));
  expect_certificate_rejected(with_certificate(honest(), certificate_of(other_graph)), "other graph",
                              "made for another graph");
}

TEST(Certificate, CertificateUnderAnotherConfigRejected) {
  prove::Options queries = fast();
  queries.pcs.queries = 13;  // the same weight root (the codeword does not depend on it)
  const auto q = prove::prove(mlp_trace(51), queries);
  ASSERT_EQ(field_bytes(q, "weight_root"), field_bytes(honest(), "weight_root"));
  expect_certificate_rejected(with_certificate(honest(), certificate_of(q)), "queries");
  prove::Options range = fast();
  range.gkr.range_bits = 13;  // another walk config: other limbs and tables
  const auto r = prove::prove(mlp_trace(51), range);
  ASSERT_EQ(field_bytes(r, "weight_root"), field_bytes(honest(), "weight_root"));
  expect_certificate_rejected(with_certificate(honest(), certificate_of(r)), "range bits");
}

TEST(Certificate, ReencodedChangesRejected) {
  const auto cert = certificate_of(honest());
  auto stream = field_bytes(cert, "stream", "weight-certificate", prove::kCertificateVersion);
  stream[4 * 9] ^= 1;  // one limb of the tenth stream element
  expect_certificate_rejected(
      with_certificate(honest(), edit_certificate(cert, "stream", [&](artifact::BodyWriter& w) { w.bin(stream); })),
      "stream");
  auto own = field_bytes(cert, "certificate_commitment", "weight-certificate", prove::kCertificateVersion);
  own[0] ^= 1;
  expect_certificate_rejected(
      with_certificate(honest(),
                       edit_certificate(cert, "certificate_commitment", [&](artifact::BodyWriter& w) { w.bin(own); })),
      "certificate commitment");
  expect_certificate_rejected(
      with_certificate(honest(),
                       edit_certificate(cert, "certificate_openings", [&](artifact::BodyWriter& w) { w.pk.pack_array(0); })),
      "missing opening", "openings, found 0");
  // Not a certificate at all, or none: malformed.
  EXPECT_THROW(prove::verify(with_certificate(honest(), {1, 2, 3}), lenient()), BadInput);
  EXPECT_THROW(prove::verify(with_certificate(honest(), honest()), lenient()), BadInput);
}

TEST(Certificate, RandomMutationsOfItsBodyNeverAccepted) {
  const auto env = artifact::unwrap(certificate_of(honest()), "weight-certificate", prove::kCertificateVersion);
  std::mt19937 rng(7);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> body = env.body;
    const int flips = 1 + int(rng() % 3);
    for (int f = 0; f < flips; ++f) body[rng() % body.size()] ^= uint8_t(1 + rng() % 255);
    const auto cert = artifact::wrap("weight-certificate", prove::kCertificateVersion, body);
    try {
      prove::verify(with_certificate(honest(), cert), lenient());
      ++accepted;
    } catch (const Rejected& e) {
      ++rejected;
      EXPECT_EQ(std::string(e.what()).rfind("weight certificate", 0), 0u) << e.what();
    } catch (const BadInput&) {
    }
  }
  EXPECT_EQ(accepted, 0);
  EXPECT_GT(rejected, 100);  // most mutations reach the checks (not only the parser)
}

TEST(Certificate, CacheReloadsAndRecomputesDamagedFiles) {
  TempDir dir("certificate-test");
  prove::Options o = fast();
  o.cache_dir = dir.path.string();
  const model::Trace t = mlp_trace(51);
  prove::ProveReport rep;
  const auto first = prove::prove(t, o, &rep);
  EXPECT_FALSE(rep.certificate_cached);
  EXPECT_EQ(first, honest());  // byte-identical with and without the cache
  fs::path file;
  for (const auto& e : fs::directory_iterator(dir.path))
    if (e.path().extension() == ".certificate") file = e.path();
  ASSERT_FALSE(file.empty());
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(slurp(file), certificate_of(first));
  EXPECT_EQ(prove::prove(t, o, &rep), first);
  EXPECT_TRUE(rep.certificate_cached);
  for (const auto& p : rep.parts) EXPECT_NE(p.name, "weight certificate: computed");

  const auto good = slurp(file);
  auto flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  auto truncated = good;
  truncated.resize(good.size() / 3);
  // A well-formed certificate of another model (valid checksum) is refused by its verification.
  const auto foreign = certificate_of(prove::prove(mlp_trace(54), fast()));
  for (const auto& bad : {flipped, truncated, foreign, std::vector<uint8_t>{}}) {
    spit(file, bad);
    testing::internal::CaptureStderr();
    EXPECT_EQ(prove::prove(t, o, &rep), first);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(rep.certificate_cached);
    EXPECT_NE(err.find("warning: weight-certificate cache: ignoring"), std::string::npos) << err;
    EXPECT_EQ(slurp(file), good);  // rewritten
    EXPECT_NO_THROW(prove::verify(first, lenient()));
    EXPECT_EQ(prove::prove(t, o, &rep), first);
    EXPECT_TRUE(rep.certificate_cached);
  }
}
