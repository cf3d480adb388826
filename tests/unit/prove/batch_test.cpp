// gpt_block: more committed claims than one PCS opening takes, batched by a sumcheck first — a
// prover that walks one trace and commits another is caught there (the opening alone would pass).
// cnn_digits: a lie in an index map (im2col, transpose) is rejected.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "onnx/import.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// A shared model's trace on its bundled input.
model::Trace shared_trace(const std::string& dir, const std::string& name) {
  model::Graph g = onnx_import::import_onnx(slurp(dir + name + ".onnx"), {});
  auto text = slurp(dir + name + ".input.json");
  return model::run_forward(g, model::parse_inputs_json(std::string(text.begin(), text.end())));
}

}  // namespace

TEST(Batch, ManyClaimsBatchedAndLiesCaught) {
  const std::string dir = std::string(ZKM31_SHARED_DIR) + "/models/";
  if (!std::filesystem::exists(dir + "cnn_digits.onnx")) GTEST_SKIP() << "shared cnn_digits absent";
  model::Trace t = shared_trace(dir, "cnn_digits");
  prove::Options o;
  o.pcs.queries = 12, o.pcs.pow_bits = 0;
  prove::VerifyOptions v;
  v.floor_bits = 0;
  auto proof = prove::prove(t, o);
  EXPECT_NO_THROW(prove::verify(proof, v));
  auto env = artifact::unwrap(proof, "proof", prove::kProofVersion);
  auto h = artifact::parse_body(env.body, "proof");
  EXPECT_EQ(artifact::MapView(h.get(), "proof").array("trace_openings").size(), 1u);
  o.cheat = gkr::CheatMode::WrongWiring;  // the convolutions' im2col and transposes
  EXPECT_THROW(prove::verify(prove::prove(t, o), v), Rejected);
}

TEST(Batch, ACommitmentOfAnotherTraceIsCaughtByTheBatchedClaims) {
  const std::string dir = std::string(ZKM31_SHARED_DIR) + "/models/";
  if (!std::filesystem::exists(dir + "gpt_block.onnx")) GTEST_SKIP() << "shared gpt_block absent";
  model::Trace t = shared_trace(dir, "gpt_block");
  prove::Options o;
  o.pcs.queries = 12, o.pcs.pow_bits = 0;
  prove::VerifyOptions v;
  v.floor_bits = 0;
  o.commit_different = true;  // every walk check passes; only the batched openings can tell
  try {
    prove::verify(prove::prove(t, o), v);
    ADD_FAILURE() << "accepted";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("batched claims do not hold"), std::string::npos) << e.what();
  }
}
