#include "field/simd.hpp"

#include <atomic>
#include <cstdlib>
#include <string>

#include "error/error.hpp"

namespace zkm31::simd {
namespace {

Backend best() {
  if (supported(Backend::avx512)) return Backend::avx512;
  if (supported(Backend::avx2)) return Backend::avx2;
  return Backend::scalar;
}

Backend from_env() {
  const char* env = std::getenv("ZKM31_SIMD");
  return env && *env ? from_name(env) : best();
}

// -1: not chosen yet.
std::atomic<int> g_backend{-1};

}  // namespace

bool supported(Backend b) {
  switch (b) {
    case Backend::scalar: return true;
    case Backend::avx2: return __builtin_cpu_supports("avx2");
    case Backend::avx512: return __builtin_cpu_supports("avx512f");
  }
  return false;
}

Backend active() {
  int b = g_backend.load(std::memory_order_relaxed);
  if (b < 0) {
    b = static_cast<int>(from_env());
    g_backend.store(b, std::memory_order_relaxed);
  }
  return static_cast<Backend>(b);
}

void set_backend(Backend b) {
  if (!supported(b)) throw NotSupported(std::string("SIMD backend ") + name(b) + " on this CPU");
  g_backend.store(static_cast<int>(b), std::memory_order_relaxed);
}

Backend from_name(const std::string& s) {
  Backend b;
  if (s == "scalar") b = Backend::scalar;
  else if (s == "avx2") b = Backend::avx2;
  else if (s == "avx512") b = Backend::avx512;
  else throw BadInput("SIMD backend (ZKM31_SIMD) must be scalar, avx2 or avx512, got '" + s + "'");
  if (!supported(b)) throw NotSupported("SIMD backend " + s + " on this CPU");
  return b;
}

const char* name(Backend b) {
  switch (b) {
    case Backend::scalar: return "scalar";
    case Backend::avx2: return "avx2";
    case Backend::avx512: return "avx512";
  }
  return "?";
}

}  // namespace zkm31::simd
