// Model-commitment cache: a saved commitment reloads to the same root and identical openings; a
// corrupted, truncated, foreign or other-config file is refused by pcs::load and, through the
// cache, ignored, recomputed and rewritten.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
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


}  // namespace

TEST(PcsSaveLoad, RoundTripGivesTheSameRootAndOpenings) {
  const auto v = random_values(10, 1);
  const pcs::Committed a = pcs::commit(v, kConfig);
  const pcs::Committed b = pcs::load(pcs::save(a), v, kConfig);
  EXPECT_EQ(a.root(), b.root());
  EXPECT_EQ(b.log_size(), 10u);
  EXPECT_TRUE(b.config() == kConfig);
  EXPECT_EQ(opening_bytes(a, v), opening_bytes(b, v));
}

TEST(PcsSaveLoad, RefusesDamagedOrForeignBytes) {
  const auto v = random_values(8, 2);
  const std::vector<uint8_t> good = pcs::save(pcs::commit(v, kConfig));
  auto truncated = good;
  truncated.resize(good.size() - 100);
  EXPECT_THROW(pcs::load(truncated, v, kConfig), BadInput);
  auto flipped = good;
  flipped[good.size() / 2] ^= 1;
  EXPECT_THROW(pcs::load(flipped, v, kConfig), BadInput);
  auto other = v;
  other[5] += M31(1);
  EXPECT_THROW(pcs::load(good, other, kConfig), BadInput);
  pcs::Config cfg = kConfig;
  cfg.queries += 1;
  EXPECT_THROW(pcs::load(good, v, cfg), BadInput);
  EXPECT_THROW(pcs::load(pcs::save(pcs::commit(random_values(9, 2), kConfig)), v, kConfig), BadInput);
}

TEST(PcsSaveLoad, RefusesRowsThatDoNotHashToTheRoot) {
  // A well-formed envelope (valid checksum) whose codeword was altered: the rebuilt root differs.
  const auto v = random_values(8, 3);
  const pcs::Committed c = pcs::commit(v, kConfig);
  const auto env = artifact::unwrap(pcs::save(c), "pcs-commitment", 2);
  auto body = env.body;
  body[body.size() - 1] ^= 1;  // the last byte belongs to the codeword bin (last field)
  try {
    pcs::load(artifact::wrap("pcs-commitment", 2, body), v, kConfig);
    ADD_FAILURE() << "loaded";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("stored root"), std::string::npos) << e.what();
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

  const std::string file = prove::cache_path(d, v, kConfig);
  const std::vector<uint8_t> good = slurp(file);
  auto flipped = good;
  flipped[good.size() / 3] ^= 0x40;
  auto truncated = good;
  truncated.resize(good.size() / 2);
  const auto foreign = pcs::save(pcs::commit(random_values(9, 5), kConfig));
  for (const auto& bad : {flipped, truncated, foreign, std::vector<uint8_t>{}}) {
    spit(file, bad);
    EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
    EXPECT_FALSE(hit);
    EXPECT_EQ(slurp(file), good);  // rewritten
    EXPECT_EQ(prove::commit_cached(v, kConfig, d, &hit).root(), root);
    EXPECT_TRUE(hit);
  }
  // Another config is another key: its own file, never the first one's.
  pcs::Config cfg = kConfig;
  cfg.final_log = 3;
  EXPECT_NE(prove::cache_path(d, v, cfg), file);
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
