#pragma once
// Shared by the VM31 unit tests.
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "error/error.hpp"
#include "vm31/transaction.hpp"

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at the end of a test.

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/vm31_test.XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : throw std::runtime_error("mkdtemp failed");
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The BadInput message f throws, or "(accepted)".
inline std::string reason(const std::function<void()>& f) {
  try {
    f();
  } catch (const zkm31::BadInput& e) {
    return e.what();
  }
  return "(accepted)";
}

// What `vm31 apply` does after verifying the proof: the statement and the pool's rules, then append.
inline void accept(zkm31::vm31::PoolState& pool, const zkm31::vm31::Transaction& tx) {
  zkm31::vm31::check_statement(tx);
  zkm31::vm31::check_pool_rules(tx, pool);
  pool.append(zkm31::vm31::pool_entry(tx));
}
