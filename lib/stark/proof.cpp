#include <string>

#include "artifact/body.hpp"
#include "error/error.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {
namespace {

constexpr uint32_t kFields = 11;

void digests(artifact::BodyWriter& w, std::span<const hash::Digest> ds) {
  std::vector<uint8_t> b;
  for (const auto& d : ds) b.insert(b.end(), d.begin(), d.end());
  w.bin(b);
}
void qm31s(artifact::BodyWriter& w, std::span<const QM31> xs) {
  std::vector<M31> l;
  for (const auto& x : xs)
    for (M31 v : x.limbs()) l.push_back(v);
  w.m31s(l);
}

std::vector<QM31> to_qm31s(const std::vector<M31>& l, const std::string& what) {
  require(l.size() % 4 == 0, kWhere, what + ": length is not a whole number of QM31");
  std::vector<QM31> out;
  for (size_t i = 0; i < l.size(); i += 4) out.push_back(QM31(l[i], l[i + 1], l[i + 2], l[i + 3]));
  return out;
}
std::vector<hash::Digest> to_digests(std::span<const uint8_t> b, const std::string& what) {
  require(b.size() % 32 == 0, kWhere, what + ": length is not a whole number of digests");
  std::vector<hash::Digest> out(b.size() / 32);
  for (size_t i = 0; i < out.size(); ++i) std::copy_n(b.begin() + 32 * i, 32, out[i].begin());
  return out;
}
std::span<const uint8_t> bin_of(const msgpack::object& o, const std::string& what) {
  require(o.type == msgpack::type::BIN, kWhere, what + " is not a bin");
  return {reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size};
}

}  // namespace

void Proof::write(artifact::BodyWriter& w) const {
  w.pk.pack_map(kFields);
  w.key("config");
  const uint32_t cfg[6] = {config.log_blowup, config.queries,   config.pow_bits,
                           config.fold_step,  config.final_log, config.first_fold};
  w.u32s(cfg);
  w.key("roots"), digests(w, roots);
  w.key("claimed_sums"), qm31s(w, claimed_sums);
  w.key("sampled"), qm31s(w, sampled);
  w.key("fri_roots"), digests(w, fri_roots);
  w.key("final"), qm31s(w, final_coefficients);
  w.key("nonce"), w.pk.pack(pow_nonce);
  w.key("rows"), w.pk.pack_array(uint32_t(rows.size()));
  for (const auto& r : rows) w.m31s(r);
  w.key("paths"), w.pk.pack_array(uint32_t(paths.size()));
  for (const auto& p : paths) digests(w, p.siblings);
  w.key("fri_rows"), w.pk.pack_array(uint32_t(fri_rows.size()));
  for (const auto& r : fri_rows) qm31s(w, r);
  w.key("fri_path_digests"), w.pk.pack_array(uint32_t(fri_paths.size()));
  for (const auto& p : fri_paths) digests(w, p.siblings);
}

Proof Proof::read(const artifact::MapView& m) {
  try {
    require(m.object().type == msgpack::type::MAP && m.object().via.map.size == kFields, kWhere,
            "stark proof must be a map of exactly " + std::to_string(kFields) + " fields");
    Proof p;
    const auto cfg = m.u32s("config");
    require(cfg.size() == 6, kWhere, "config must have 6 entries");
    p.config = Config{cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], cfg[5]};
    p.roots = to_digests(m.bin("roots"), "roots");
    p.claimed_sums = to_qm31s(m.m31s("claimed_sums"), "claimed_sums");
    p.sampled = to_qm31s(m.m31s("sampled"), "sampled");
    p.fri_roots = to_digests(m.bin("fri_roots"), "fri_roots");
    p.final_coefficients = to_qm31s(m.m31s("final"), "final");
    p.pow_nonce = m.u64("nonce");
    const auto rows = m.array("rows"), paths = m.array("paths");
    require(rows.size() == p.roots.size() && paths.size() == p.roots.size(), kWhere,
            "rows and paths must have one entry per root");
    for (size_t t = 0; t < rows.size(); ++t) {
      p.rows.push_back(artifact::decode_m31s(bin_of(rows[t], "rows entry"), "rows entry"));
      p.paths.push_back({to_digests(bin_of(paths[t], "paths entry"), "paths entry")});
    }
    for (const auto& o : m.array("fri_rows"))
      p.fri_rows.push_back(to_qm31s(artifact::decode_m31s(bin_of(o, "fri_rows entry"), "fri_rows entry"), "fri_rows entry"));
    for (const auto& o : m.array("fri_path_digests")) p.fri_paths.push_back({to_digests(bin_of(o, "fri_paths entry"), "fri_paths entry")});
    return p;
  } catch (const BadInput& e) {
    throw Rejected(kWhere, std::string("malformed stark proof: ") + e.what());
  }
}

size_t Proof::bytes() const {
  artifact::BodyWriter w(0);
  const size_t header = w.buf.size();
  write(w);
  return w.buf.size() - header;
}

}  // namespace zkm31::stark
