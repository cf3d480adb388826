// Model-commitment cache: a saved commitment reloads to the same root and identical openings; a
// corrupted, truncated, foreign or other-config file is refused by pcs::load and, through the
// cache, ignored, recomputed and rewritten.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

#include "files.hpp"
#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "pcs/pcs.hpp"
#include "poly/multilinear.hpp"
#include "prove/cache.hpp"

using namespace zkm31;
namespace fs = std::filesystem;

using test::slurp, test::spit, test::TempDir;

namespace {

const pcs::Config kConfig{1, 20, 4, 2, 2};

std::vector<M31> random_values(unsigned log_n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<M31> v(size_t(1) << log_n);
  for (auto& x : v) x = M31(rng() % kP);
  return v;
}

std::vector<uint8_t> opening_bytes(const pcs::Committed& c, const std::vector<M31>& values) {
  std::mt19937 rng(9);
  std::vector<pcs::Claim> claims(2);
  for (auto& cl : claims) {
    for (unsigned k = 0; k < c.log_size(); ++k)
      cl.point.push_back(QM31(M31(rng() % kP), M31(rng() % kP), M31(rng() % kP), M31(rng() % kP)));
    cl.value = poly::evaluate(std::span<const M31>(values), cl.point);
  }
  Channel ch("cache-test");
  artifact::BodyWriter w(1);
  w.key("p");
  pcs::open(c, claims, ch).write(w);
  return {w.bytes().begin(), w.bytes().end()};
}

// save()'s two parts as files would hold them: the header bytes and a copy of the codeword.
struct Saved {
  std::vector<uint8_t> header;
  std::vector<M31> codeword;
  explicit Saved(const pcs::Committed& c) {
    const pcs::Stored s = pcs::save(c);
    header = s.header;
    codeword.assign(s.codeword.begin(), s.codeword.end());
  }
  pcs::Committed load(std::vector<M31> values, const pcs::Config& config = kConfig) const {
    auto words = std::make_shared<const std::vector<M31>>(codeword);
    return pcs::load(header, *words, words, std::move(values), config);
  }
};

}  // namespace

TEST(PcsSaveLoad, RoundTripGivesTheSameRootAndOpenings) {
  const auto v = random_values(10, 1);
  const pcs::Committed a = pcs::commit(v, kConfig);
  const pcs::Committed b = Saved(a).load(v);
  EXPECT_EQ(a.root(), b.root());
  EXPECT_EQ(b.log_size(), 10u);
  EXPECT_TRUE(b.config() == kConfig);
  EXPECT_EQ(opening_bytes(a, v), opening_bytes(b, v));
}

TEST(PcsSaveLoad, RefusesDamagedOrForeignParts) {
  const auto v = random_values(8, 2);
  const Saved good(pcs::commit(v, kConfig));
  Saved bad = good;
  bad.header.resize(good.header.size() - 10);
  EXPECT_THROW(bad.load(v), BadInput);
  bad = good;
  bad.header[good.header.size() / 2] ^= 1;
  EXPECT_THROW(bad.load(v), BadInput);
  bad = good;
  bad.codeword.pop_back();
  EXPECT_THROW(bad.load(v), BadInput);
  auto other = v;
  other[5] += M31(1);
  EXPECT_THROW(good.load(other), BadInput);
  pcs::Config cfg = kConfig;
  cfg.queries += 1;
  EXPECT_THROW(good.load(v, cfg), BadInput);
  EXPECT_THROW(Saved(pcs::commit(random_values(9, 2), kConfig)).load(v), BadInput);
}

TEST(PcsSaveLoad, RefusesACodewordThatFailsItsChecksum) {
  const auto v = random_values(8, 3);
  for (size_t at : {size_t(0), size_t(77), size_t(511)}) {
    Saved bad(pcs::commit(v, kConfig));
    bad.codeword[at] += M31(1);
    try {
      bad.load(v);
      ADD_FAILURE() << "loaded with codeword word " << at << " altered";
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
    }
  }
}

TEST(ModelCache, SecondCommitIsCachedAndDamagedFilesAreRecomputed) {
  TempDir dir("cache-test");
  const std::string d = (dir.path / "sub" / "zkm31").string();
  const auto v = random_values(9, 4);
  const hash::Digest root = pcs::commit(v, kConfig).root();
  bool hit = true;
  EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
  EXPECT_FALSE(hit);
  struct stat st{};
  ASSERT_EQ(::stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(prove::cache_path(d, v, kConfig).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
  EXPECT_TRUE(hit);

  // Damage to either file: the header (checksummed) or the raw codeword (its checksum in the header), or a
  // file gone.
  const std::string header = prove::cache_path(d, v, kConfig), words = prove::codeword_path(header);
  for (const std::string& file : {header, words}) {
    const std::vector<uint8_t> good = slurp(file);
    auto flipped = good;
    flipped[good.size() / 3] ^= 0x40;
    auto truncated = good;
    truncated.resize(good.size() / 2);
    const pcs::Committed other_commitment = pcs::commit(random_values(9, 5), kConfig);
    const pcs::Stored other = pcs::save(other_commitment);  // its codeword lives in other_commitment
    const auto foreign = file == header ? other.header
                                        : std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(other.codeword.data()),
                                                               reinterpret_cast<const uint8_t*>(other.codeword.data()) +
                                                                   4 * other.codeword.size());
    using Damage = std::optional<std::vector<uint8_t>>;  // nullopt: the file is removed
    for (const Damage& bad : {Damage(flipped), Damage(truncated), Damage(foreign), Damage(std::vector<uint8_t>{}), Damage()}) {
      if (bad) spit(file, *bad);
      else fs::remove(file);
      EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
      EXPECT_FALSE(hit);
      EXPECT_EQ(slurp(file), good);  // rewritten
      EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
      EXPECT_TRUE(hit);
    }
  }
  // Another config is another key: its own file, never the first one's.
  pcs::Config cfg = kConfig;
  cfg.final_log = 3;
  EXPECT_NE(prove::cache_path(d, v, cfg), header);
  EXPECT_EQ(prove::commit_cached(v, cfg, d, &hit).root(), pcs::commit(v, cfg).root());
  EXPECT_FALSE(hit);
}

TEST(ModelCache, EmptyDirMeansNoCache) {
  const auto v = random_values(6, 6);
  bool hit = true;
  EXPECT_EQ(prove::commit_cached(v, kConfig, "", &hit).root(), pcs::commit(v, kConfig).root());
  EXPECT_FALSE(hit);
}

TEST(ModelCache, UnwritableDirOnlyWarns) {
  TempDir dir("cache-test");
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "file") << "x";  // a file where the cache directory should go
  const auto v = random_values(6, 7);
  bool hit = true;
  EXPECT_EQ(prove::commit_cached(v, kConfig, (dir.path / "file" / "zkm31").string(), &hit).root(),
            pcs::commit(v, kConfig).root());
  EXPECT_FALSE(hit);
}

// A computed commitment is used mapped from the file it was saved to, and a spilled one from an
// unlinked file: both open exactly as the in-memory commitment does, and the spill leaves no file.
TEST(ModelCache, MappedAndSpilledCommitmentsOpenAsInMemory) {
  TempDir dir("cache-test");
  const std::string d = (dir.path / "zkm31").string();
  const auto v = random_values(10, 6);
  const pcs::Committed in_memory = pcs::commit(v, kConfig);
  const std::vector<uint8_t> expected = opening_bytes(in_memory, v);
  bool hit = true;
  const pcs::Committed mapped = prove::commit_cached(v, kConfig, d, &hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(mapped.root(), in_memory.root());
  EXPECT_EQ(opening_bytes(mapped, v), expected);
  const std::string spill_dir = (dir.path / "spill").string();
  const pcs::Committed spilled = prove::commit_spilled(v, kConfig, spill_dir);
  EXPECT_EQ(spilled.root(), in_memory.root());
  EXPECT_EQ(opening_bytes(spilled, v), expected);
  EXPECT_TRUE(fs::is_empty(spill_dir));
  EXPECT_EQ(opening_bytes(prove::commit_spilled(v, kConfig, ""), v), expected);  // no directory: in memory
}

// The committed values leave memory too: a weight commitment reads them from `.values` beside its
// cache files (written once, reused, rewritten with a warning when damaged), a spilled one from an
// unlinked file; after their pages are dropped both still read (and open) as the in-memory one.
TEST(ModelCache, ValuesAreReadFromTheirFile) {
  TempDir dir("cache-test");
  const std::string d = (dir.path / "zkm31").string();
  const auto v = random_values(10, 8);
  const std::vector<uint8_t> expected = opening_bytes(pcs::commit(v, kConfig), v);
  const std::string file = prove::values_path(prove::cache_path(d, v, kConfig));
  const std::vector<uint8_t> good(reinterpret_cast<const uint8_t*>(v.data()),
                                  reinterpret_cast<const uint8_t*>(v.data()) + 4 * v.size());
  bool hit = true;
  {
    const pcs::Committed computed = prove::commit_cached(v, kConfig, d, &hit);
    EXPECT_FALSE(hit);
    EXPECT_EQ(slurp(file), good);
    prove::release_mapped_codewords();
    EXPECT_TRUE(std::equal(computed.values().begin(), computed.values().end(), v.begin(), v.end()));
    EXPECT_EQ(opening_bytes(computed, v), expected);
  }
  auto damaged = good;
  damaged[100] ^= 1;
  spit(file, damaged);
  testing::internal::CaptureStderr();
  const pcs::Committed reloaded = prove::commit_cached(v, kConfig, d, &hit);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("ignoring"), std::string::npos);
  EXPECT_TRUE(hit);  // the commitment itself was cached
  EXPECT_EQ(slurp(file), good);
  prove::release_mapped_codewords();
  EXPECT_EQ(opening_bytes(reloaded, v), expected);
  const std::string spill_dir = (dir.path / "spill").string();
  const pcs::Committed spilled = prove::commit_spilled(v, kConfig, spill_dir);
  prove::release_mapped_codewords();
  EXPECT_EQ(opening_bytes(spilled, v), expected);
  EXPECT_TRUE(fs::is_empty(spill_dir));
}

// Relocated values must be the committed ones; taking them back copies them out.
TEST(PcsSaveLoad, RelocatedValuesMustBeTheCommittedOnes) {
  const auto v = random_values(8, 9);
  pcs::Committed c = pcs::commit(v, kConfig);
  auto other = v;
  other[3] += M31(1);
  EXPECT_THROW(c.relocate_values(other, nullptr), std::logic_error);
  auto copy = std::make_shared<std::vector<M31>>(v);
  c.relocate_values(*copy, copy);
  EXPECT_EQ(c.values().data(), copy->data());
  EXPECT_EQ(opening_bytes(c, v), opening_bytes(pcs::commit(v, kConfig), v));
  EXPECT_EQ(std::move(c).take_values(), v);
}
