#pragma once
// Proof → felt252 calldata: a generic, deterministic serialization of an artifact body (msgpack map)
// plus the IO commitment. The layout is documented in tools/calldata/README.md:
//   [io_commitment, artifact_version, enc(body)…]
//   enc(map)   = [n, (key, enc(value))… in byte order of the keys]; key = short string (≤ 31 ASCII
//                bytes) or sn_keccak(key) for longer keys
//   enc(array) = [n, enc(item)…]
//   enc(uint)  = [v]; enc(negative int) = [P + v]; enc(bool) = [0|1]; enc(nil) = [0]; enc(float) = [IEEE-754 f64 bits]
//   enc(str)   = Cairo ByteArray
//   enc(digest bin) = [n_digests, (hi 128 bits, lo 128 bits)…] for bins under a digest key
//                (is_digest_key: digest/commitment/root/roots/paths, or *_digest(s), *_commitment(s),
//                *_root(s)), 32 bytes each
//   enc(bytes bin) = [n_bytes, 31-byte big-endian chunks…] for bins under a bytes key (is_bytes_key:
//                graph, *_certificate: an encoded graph body, a nested artifact), whatever their length
//   enc(other bin, length % 4 == 0) = [n_words, packed…]: u32 LE words (each < 2^31: M31 data),
//                8 per felt as 31-bit limbs, word i of a group at bits 31·i
//   enc(other bin) = [n_bytes, 31-byte big-endian chunks…] (the last chunk holds the rest)
// io_commitment = poseidon_hash_many([n_in, in…, n_out, out…]) over the M31 residues of the body's
// public input and output bins ('public_input' or 'input', 'public_output' or 'output').
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

struct ProofCalldata {
  Felt io_commitment;
  std::vector<Felt> felts;  // the whole calldata, io_commitment first
};

// `artifact` is a whole envelope of kind `proof` or `stark-proof` (any version); BadInput on malformed input.
ProofCalldata proof_calldata(std::span<const uint8_t> artifact);

// Whether a bin under this map key holds 32-byte digests (the proof schema's naming convention).
bool is_digest_key(std::string_view key);
// Whether a bin under this map key holds opaque bytes (msgpack: the graph body, nested artifacts).
bool is_bytes_key(std::string_view key);

// The body encoding alone (exposed for tests).
std::vector<Felt> encode_body(std::span<const uint8_t> body);
Felt io_commitment(std::span<const uint8_t> body);
// The same from the public input and output residues themselves (e.g. those of a trace).
Felt io_commitment(std::span<const uint32_t> in, std::span<const uint32_t> out);

}  // namespace zkm31::starknet
