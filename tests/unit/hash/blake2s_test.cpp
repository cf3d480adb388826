// BLAKE2s against RFC 7693 / published vectors (../shared/reference/blake2s.json), and the own
// multi-lane compression against libb2 bit for bit on every backend this CPU supports.
#include <blake2.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "hash/blake2s.hpp"

using namespace zkm31;
using nlohmann::json;

namespace {

json reference() {
  std::ifstream f(std::string(ZKM31_SHARED_DIR) + "/reference/blake2s.json");
  EXPECT_TRUE(f.good()) << "missing shared/reference/blake2s.json";
  return json::parse(f);
}

std::string hex(const hash::Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) s += {digits[b >> 4], digits[b & 15]};
  return s;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// libb2 with an 8-byte personalization: the oracle for the own implementation.
hash::Digest libb2_personal(std::span<const uint8_t> data, const std::array<uint8_t, 8>& personal) {
  blake2s_param p{};
  p.digest_length = 32;
  p.fanout = 1;
  p.depth = 1;
  std::copy(personal.begin(), personal.end(), p.personal);
  blake2s_state s;
  blake2s_init_param(&s, &p);
  blake2s_update(&s, data.data(), data.size());
  hash::Digest d;
  blake2s_final(&s, d.data(), d.size());
  return d;
}

std::vector<simd::Backend> backends() {
  std::vector<simd::Backend> out;
  for (auto b : {simd::Backend::scalar, simd::Backend::avx2, simd::Backend::avx512})
    if (simd::supported(b)) out.push_back(b);
  return out;
}

}  // namespace

TEST(Blake2s, PublishedDigests) {
  json ref = reference();
  ASSERT_GE(ref["vectors"].size(), 2u);
  for (auto& v : ref["vectors"]) {
    std::string in = v["input_ascii"];
    EXPECT_EQ(hex(hash::blake2s(bytes_of(in))), v["digest_hex"].get<std::string>()) << in;
  }
}

TEST(Blake2s, AbcAsLittleEndianWords) {
  json ref = reference();
  hash::Digest d = hash::blake2s(bytes_of("abc"));
  auto words = ref["digest_as_le_u32_words_abc"];
  for (int i = 0; i < 8; ++i) {
    uint32_t w = d[4 * i] | d[4 * i + 1] << 8 | d[4 * i + 2] << 16 | uint32_t(d[4 * i + 3]) << 24;
    EXPECT_EQ(w, words[i].get<uint32_t>());
  }
}

TEST(Blake2s, IncrementalMatchesOneShot) {
  std::string msg(300, 'x');
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = char(i * 7);
  hash::Blake2s h;
  h.update(std::string_view(msg).substr(0, 100)).update(std::string_view(msg).substr(100));
  EXPECT_EQ(h.finalize(), hash::blake2s(bytes_of(msg)));
}

TEST(Blake2s, CompressionVectors) {
  json ref = reference();
  auto items = ref["compression_function_vectors"]["items"];
  ASSERT_EQ(items.size(), 3u);
  for (auto& it : items) {
    hash::State h;
    std::array<uint32_t, 16> m;
    for (int i = 0; i < 8; ++i) h[i] = it["h"][i];
    for (int i = 0; i < 16; ++i) m[i] = it["m"][i];
    hash::blake2s_compress(h, m, it["t"].get<uint64_t>(), it["last"].get<bool>());
    for (int i = 0; i < 8; ++i) EXPECT_EQ(h[i], it["out"][i].get<uint32_t>()) << it["source"];
  }
}

TEST(Blake2s, InitialStateMatchesIvAndParameterBlock) {
  json ref = reference();
  hash::State h = hash::blake2s_initial_state();
  for (int i = 0; i < 8; ++i) {
    uint32_t iv = std::stoul(ref["IV"][i].get<std::string>(), nullptr, 16);
    EXPECT_EQ(h[i], i == 0 ? iv ^ 0x01010020u : iv);
  }
}

// Every length class: empty, partial block, exact blocks, several blocks; lane counts with tails.
TEST(Blake2s, ManyLanesMatchLibb2OnEveryBackend) {
  std::mt19937 rng(7);
  const std::array<uint8_t, 8> personal = {'t', 'e', 's', 't', 0, 1, 2, 3};
  for (auto backend : backends()) {
    for (size_t len_words : {0, 1, 4, 15, 16, 17, 32, 40}) {
      for (size_t n : {1, 7, 8, 16, 17, 37}) {
        size_t stride = len_words + 3;  // messages need not be adjacent
        std::vector<uint32_t> words(n * stride + 1);
        for (auto& w : words) w = rng();
        std::vector<hash::Digest> out(n);
        hash::blake2s_many(hash::blake2s_initial_state(personal), words.data(), stride, len_words, n, out.data(),
                           backend);
        for (size_t i = 0; i < n; ++i) {
          auto msg = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(words.data() + i * stride),
                                              4 * len_words);
          ASSERT_EQ(out[i], libb2_personal(msg, personal))
              << simd::name(backend) << " len " << len_words << " n " << n << " i " << i;
        }
      }
    }
  }
}

TEST(Blake2s, DefaultPersonalizationIsPlainBlake2s) {
  std::vector<uint32_t> words = {0x64636261};  // "abcd"
  hash::Digest d;
  hash::blake2s_many(hash::blake2s_initial_state(), words.data(), 1, 1, 1, &d);
  EXPECT_EQ(d, hash::blake2s(bytes_of("abcd")));
}
