#pragma once
// The on-disk cache of what is computed once per model: the weight commitment, committed once per
// (weights, PCS config) and reloaded afterwards (pcs::save / pcs::load), skipping the circle FFT
// (files DIR/<XXH3-128 of the packed model bytes and the config, hex>.commitment, the header, and
// .codeword beside it, the raw codeword that a reload maps and uses in place, and .values, the
// committed values, which the proof reads mapped so that their pages can leave memory), and the weight
// certificate (prove/certificate.hpp, its own key and suffix). A file that fails to load (truncated,
// corrupt, for other values or config) is never used: one warning line on stderr, then the result is
// recomputed and the file rewritten atomically (temp + rename), owner-only (0600). DIR is created
// owner-only (0700).
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "field/field.hpp"
#include "pcs/pcs.hpp"

namespace zkm31::prove {

// $XDG_CACHE_HOME/zkm31, else $HOME/.cache/zkm31, else "" (no cache).
std::string default_cache_dir();

// DIR/<XXH3-128 of key, hex><suffix>.
std::string cache_file(const std::string& dir, std::span<const uint8_t> key, std::string_view suffix);

// The weight-commitment cache file (the header) of these values under this config, inside dir.
std::string cache_path(const std::string& dir, std::span<const M31> values, const pcs::Config& config);
// The raw codeword file beside a weight-commitment header.
std::string codeword_path(const std::string& commitment_path);
// Its values, beside it (`<key>.values`, raw little-endian u32 words): the commitment reads them mapped.
std::string values_path(const std::string& commitment_path);

// Calls use() on the bytes of the cache file at path and returns true; false if there is no such file,
// or (after one warning naming `what`) if use() throws on them.
bool read_cached(const std::string& path, const std::string& what,
                 const std::function<void(std::span<const uint8_t>)>& use);
// Writes the file atomically, creating its directory owner-only; a failure only warns (false).
bool write_cached(const std::string& path, const std::string& what, std::span<const uint8_t> bytes);

// pcs::commit(values, config), through the cache in dir (empty: no cache). *hit tells whether the
// commitment was reloaded. A cache directory or file that cannot be written only warns. The codeword
// of a commitment in the cache (reloaded, or computed and saved) is used mapped from its file and
// dropped from the resident set: the openings read a few rows of it, so many chunks' codewords do not
// add up in memory.
pcs::Committed commit_cached(std::vector<M31> values, const pcs::Config& config, const std::string& dir,
                             bool* hit = nullptr);
// pcs::commit(values, config) whose codeword is moved to an unlinked file in dir (empty: kept in
// memory) and used mapped from it, as above: for the trace chunks of one proof.
pcs::Committed commit_spilled(std::vector<M31> values, const pcs::Config& config, const std::string& dir);

// Drops from the resident set every page of the codewords and values mapped by the two functions above
// that are still in use: a proof pass (the certificate, the walk, one chunk's opening) reads whole
// vectors, and without this their pages would add up chunk after chunk. Later reads fault them back in.
void release_mapped_codewords();

}  // namespace zkm31::prove
