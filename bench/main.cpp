// The bench runner: zkm31-bench [--list] [--out FILE] [NAME_SUBSTRING...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench.hpp"

namespace zkm31::bench {

static std::vector<std::pair<std::string, Workload>>& registry() {
  static std::vector<std::pair<std::string, Workload>> r;
  return r;
}

Register::Register(const char* name, Workload fn) { registry().emplace_back(name, std::move(fn)); }

double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double time_median(int runs, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) t.push_back(time_once(fn));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace zkm31::bench

using namespace zkm31::bench;
using nlohmann::json;

static json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// Runs one workload in a child; returns its JSON row (with peak RSS) or an error row.
static json run_child(const std::string& name, const Workload& fn) {
  int fds[2];
  if (pipe(fds) != 0) return {{"name", name}, {"error", "pipe failed"}};
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    json row;
    try {
      Result r = fn();
      row = {{"seconds", r.seconds}, {"throughput", opt(r.throughput)}, {"ratio", opt(r.ratio)},
             {"proof_bytes", opt(r.proof_bytes)}, {"note", r.note}, {"own_peak_rss_mb", opt(r.own_peak_rss_mb)}};
    } catch (const std::exception& e) {
      row = {{"error", e.what()}};
    }
    std::string s = row.dump();
    ssize_t off = 0;
    while (off < ssize_t(s.size())) {
      ssize_t n = write(fds[1], s.data() + off, s.size() - off);
      if (n <= 0) break;
      off += n;
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  json row = {{"name", name}};
  json body = out.empty() ? json{{"error", "workload crashed"}} : json::parse(out, nullptr, false);
  if (body.is_discarded()) body = {{"error", "unreadable result"}};
  const json own = body.value("own_peak_rss_mb", json(nullptr));
  body.erase("own_peak_rss_mb");
  for (auto& [k, v] : body.items()) row[k] = v;
  row["peak_rss_mb"] = own.is_number() ? own.get<double>() : double(ru.ru_maxrss) / 1024.0;  // ru_maxrss: KiB
  return row;
}

static std::string fmt(const json& v, const char* f) {
  if (v.is_null()) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v.get<double>());
  return b;
}

int main(int argc, char** argv) {
  std::string out_path = "bench/results.json";
  std::vector<std::string> filters;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--list") list = true;
    else if (a == "--out" && i + 1 < argc) out_path = argv[++i];
    else if (a == "--help" || a == "-h") {
      std::cout << "usage: zkm31-bench [--list] [--out FILE] [NAME_SUBSTRING...]\n";
      return 0;
    } else filters.push_back(a);
  }
  json rows = json::array();
  std::printf("%-30s %10s %12s %8s %12s %9s  %s\n", "workload", "seconds", "throughput", "ratio", "proof_bytes",
              "peak_MB", "note");
  for (auto& [name, fn] : registry()) {
    bool selected = filters.empty();
    for (auto& f : filters) selected |= name.find(f) != std::string::npos;
    if (!selected) continue;
    if (list) {
      std::cout << name << "\n";
      continue;
    }
    json row = run_child(name, fn);
    rows.push_back(row);
    if (row.contains("error")) {
      std::printf("%-30s ERROR: %s\n", name.c_str(), row["error"].get<std::string>().c_str());
    } else {
      std::printf("%-30s %10s %12s %8s %12s %9s  %s\n", name.c_str(), fmt(row["seconds"], "%.4f").c_str(),
                  fmt(row["throughput"], "%.3g").c_str(), fmt(row["ratio"], "%.2f").c_str(),
                  fmt(row["proof_bytes"], "%.0f").c_str(), fmt(row["peak_rss_mb"], "%.1f").c_str(),
                  row["note"].get<std::string>().c_str());
    }
    std::fflush(stdout);
  }
  if (!list) {
    std::ofstream(out_path) << rows.dump(2) << "\n";
    std::printf("wrote %s\n", out_path.c_str());
  }
  return 0;
}
