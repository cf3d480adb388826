#pragma once
// The weight certificate (artifact kind "weight-certificate"): a self-contained LogUp-GKR argument
// that every weight and bias of a model lies in its declared interval (the accumulator and requant
// bounds rely on it). It depends on the model alone, so it is proven once per (model, config), cached
// beside the weight commitment, and carried verbatim by every proof of that model; the proof's own
// walk then covers the activations only.
//
// Its circuit is gkr::Compiled::certificate: one lookup instance per weight tensor (an interval
// table, or range limbs of w − lo and hi − w), with its own tables. The bound limbs and the
// multiplicities depend only on the weights and go into the certificate's own commitment, made before
// any challenge; the weight commitment stays the weights and biases alone (so a model whose tensors
// fill a power of two is not padded to the next one).
//
// Both commitments are chunked as the proof's are (commit_log, prove/packing.hpp): the weight
// claims are opened against the weight chunks' roots, which must have the statement's weight root.
//
// Transcript (its own channel, label kCertificateProtocol): version, config (PCS and walk
// parameters, commit_log), graph digest, weight root (and the log size of every weight chunk),
// certificate commitment (root and log size of every chunk); then the LogUp challenges and the
// batched lookup trees (lookup/logup.hpp); then the batched openings, chunk by chunk (weights, then certificate),
// of every claim the verifier's ledger holds, which must end empty.
//
// Body fields: protocol, graph_digest, weight_root, certificate_commitment (bin: the chunks' 32-byte
// roots), stream (bin of the walk's QM31 messages as LE u32 limbs), model_openings,
// certificate_openings (PCS opening proofs).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gkr/circuit.hpp"
#include "gkr/witness.hpp"
#include "hash/blake2s.hpp"
#include "pcs/pcs.hpp"
#include "prove/security.hpp"

namespace zkm31::prove {

// 4: instances and tables batched into a few LogUp-GKR trees; 3: chunked commitments (commit_log); 2: the weight root is named as such (the model commitment
// became the model identity)
inline constexpr uint32_t kCertificateVersion = 4;
inline constexpr std::string_view kCertificateProtocol = "zkm31/weight-certificate/v4";

// What a certificate is about: one graph's weights under one config.
struct CertificateStatement {
  const gkr::Circuit& circuit;  // gkr::compile(graph, walk config).certificate
  hash::Digest graph_digest{};
  hash::Digest weight_root{};
  std::vector<hash::Digest> weight_roots;  // of the weight chunks (their chunks_root is weight_root)
  pcs::Config pcs;
  unsigned commit_log = pcs::kMaxLogSize;
};

// The certificate of the model committed as `model` (its weight chunks). w holds the weights (gkr::weight_values); the
// certificate's own vectors are added to it. Refuses a weight outside its interval (BadInput) unless
// forge (tests: the out-of-interval weights are proven as they are, the prover's checks skipped).
// Every prover and verifier below adds its challenges, LogUp fractions and openings to *tally.
std::vector<uint8_t> prove_certificate(const CertificateStatement& s, gkr::Witness& w,
                                       std::span<const pcs::Committed> model, bool forge = false,
                                       Soundness* tally = nullptr);

// Rejected("weight certificate…", check) unless `bytes` proves the weight bounds of exactly this
// statement; a malformed certificate is BadInput. floor_bits applies to the conjectured bits.
void verify_certificate(std::span<const uint8_t> bytes, const CertificateStatement& s, double floor_bits,
                        Soundness* tally = nullptr);

// The cache file of a statement's certificate inside dir (the weight commitment's key scheme over the
// statement, suffix .certificate).
std::string certificate_path(const std::string& dir, const CertificateStatement& s);

// prove_certificate through the cache in dir (empty: no cache). A cached certificate is verified
// before use; one that fails is ignored with a warning, recomputed and rewritten. *hit tells whether
// it was reloaded.
std::vector<uint8_t> certificate_cached(const CertificateStatement& s, gkr::Witness& w,
                                        std::span<const pcs::Committed> model, const std::string& dir,
                                        bool* hit = nullptr, Soundness* tally = nullptr);

}  // namespace zkm31::prove
