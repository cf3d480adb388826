#pragma once
// The on-disk model-commitment cache: the model is committed once per (weights, PCS config) and
// reloaded afterwards (pcs::save / pcs::load), skipping the circle FFT. File: DIR/<XXH3-128 of the
// packed model bytes and the config, hex>.commitment. A file that fails to load (truncated, corrupt,
// for other values or config) is never used: one warning line on stderr, then the commitment is
// recomputed and the file rewritten atomically (temp + rename). DIR is created owner-only (0700).
#include <span>
#include <string>

#include "field/field.hpp"
#include "pcs/pcs.hpp"

namespace zkm31::prove {

// $XDG_CACHE_HOME/zkm31, else $HOME/.cache/zkm31, else "" (no cache).
std::string default_cache_dir();

// The cache file of these values under this config, inside dir.
std::string cache_path(const std::string& dir, std::span<const M31> values, const pcs::Config& config);

// pcs::commit(values, config), through the cache in dir (empty: no cache). *hit tells whether the
// commitment was reloaded. A cache directory or file that cannot be written only warns.
pcs::Committed commit_cached(std::vector<M31> values, const pcs::Config& config, const std::string& dir,
                             bool* hit = nullptr);

}  // namespace zkm31::prove
