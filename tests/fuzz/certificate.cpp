// Weight certificates through the certificate verifier, for the statement of an honest proof given
// in ZKM31_FUZZ_PROOF (its graph, digests and the default config); checksum resealed.
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "cli/cli.hpp"
#include "error/error.hpp"
#include "fuzz.hpp"
#include "prove/certificate.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {
struct Statement {
  prove::Verified proof;
  prove::Options options;
  gkr::Compiled compiled;
};
std::optional<Statement> statement;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = std::getenv("ZKM31_FUZZ_PROOF");
  if (!path) {
    std::fprintf(stderr, "fuzz_certificate: set ZKM31_FUZZ_PROOF to an honest proof made with the default config\n");
    std::exit(2);
  }
  prove::Verified v = prove::verify(cli::read_all(path), {});
  prove::Options o;
  gkr::Compiled c = gkr::compile(v.graph, o.gkr);
  statement.emplace(Statement{std::move(v), o, std::move(c)});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = fuzz::resealed({data, size});
  const prove::CertificateStatement s{statement->compiled.certificate, statement->proof.graph_digest,
                                      statement->proof.weight_root, statement->proof.weight_roots,
                                      statement->options.pcs, statement->options.commit_log};
  try {
    prove::verify_certificate(bytes, s, 96);
  } catch (const BadInput&) {
  } catch (const Rejected&) {
  }
  return 0;
}
