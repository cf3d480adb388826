#include <gtest/gtest.h>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"

using namespace zkm31;
using namespace zkm31::artifact;

namespace {

std::vector<uint8_t> sample_body() {
  BodyWriter w(2);
  w.key("name");
  w.pk.pack(std::string("hello"));
  w.key("data");
  std::vector<uint32_t> v = {1, 2, 3, kP - 1};
  w.u32s(v);
  auto b = w.bytes();
  return {b.begin(), b.end()};
}

std::string error_of(std::span<const uint8_t> bytes, std::string_view kind, uint32_t max_version) {
  try {
    unwrap(bytes, kind, max_version);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Artifact, RoundTrip) {
  auto body = sample_body();
  auto bytes = wrap("graph", 1, body);
  Envelope env = unwrap(bytes, "graph", 1);
  EXPECT_EQ(env.kind, "graph");
  EXPECT_EQ(env.version, 1u);
  EXPECT_EQ(env.body, body);
  auto h = parse_body(env.body, "graph body");
  MapView m(h.get(), "graph");
  EXPECT_EQ(m.str("name"), "hello");
  auto data = m.m31s("data");
  ASSERT_EQ(data.size(), 4u);
  EXPECT_EQ(data[3].v, kP - 1);
}

TEST(Artifact, RejectsWithPreciseMessages) {
  auto bytes = wrap("trace", 1, sample_body());
  EXPECT_EQ(error_of(bytes, "graph", 1), "expected a graph, got a trace");
  EXPECT_NE(error_of(bytes, "trace", 0).find("unsupported version 1"), std::string::npos);
  auto v7 = wrap("trace", 7, sample_body());
  EXPECT_NE(error_of(v7, "trace", 1).find("unsupported version 7"), std::string::npos);

  std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_NE(error_of(junk, "trace", 1).find("not a zkm31 artifact"), std::string::npos);
  EXPECT_NE(error_of({}, "trace", 1).find("not a zkm31 artifact"), std::string::npos);

  auto corrupt = bytes;
  corrupt[corrupt.size() - 3] ^= 1;
  EXPECT_NE(error_of(corrupt, "trace", 1).find("checksum mismatch"), std::string::npos);

  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t(40)}) {
    std::span<const uint8_t> part(bytes.data(), cut);
    EXPECT_NE(error_of(part, "trace", 1).find("truncated artifact"), std::string::npos) << cut;
  }
  auto extra = bytes;
  extra.push_back(0);
  EXPECT_NE(error_of(extra, "trace", 1).find("trailing"), std::string::npos);
}

TEST(Artifact, BodyFieldErrorsNameTheField) {
  auto body = sample_body();
  auto h = parse_body(body, "graph body");
  MapView m(h.get(), "graph");
  EXPECT_THROW(m.str("missing"), BadInput);
  try {
    m.u64("name");
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("'name'"), std::string::npos);
  }
}

TEST(Artifact, RejectsNonCanonicalResidues) {
  BodyWriter w(1);
  w.key("data");
  std::vector<uint32_t> v = {kP};
  w.u32s(v);
  auto h = parse_body(w.bytes(), "body");
  MapView m(h.get(), "body");
  EXPECT_THROW(m.m31s("data"), BadInput);
}

TEST(Artifact, JsonView) {
  auto bytes = wrap("graph", 1, sample_body());
  std::string j = to_json(bytes, true);
  EXPECT_NE(j.find("\"kind\": \"graph\""), std::string::npos);
  EXPECT_NE(j.find("\"name\": \"hello\""), std::string::npos);
}
