// calldata: a proof artifact → felt252 calldata (IO commitment first), and the Starknet encoding
// utilities (selectors, Poseidon/Pedersen hashes and Merkle roots, short strings, ByteArray, u256),
// the IO commitment of a proof or trace (what an audit log records per inference) and the next entry
// of an audit log (pipeline/capture.sh).
// Output: lowercase 0x-hex, one felt per line, or a JSON array with --json / --format json.
#include <chrono>
#include <iostream>
#include <iterator>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

#include "artifact/artifact.hpp"
#include "cli/cli.hpp"
#include "model/trace.hpp"
#include "starknet/audit_log.hpp"
#include "starknet/encoding.hpp"
#include "starknet/keccak.hpp"
#include "starknet/pedersen.hpp"
#include "starknet/poseidon.hpp"
#include "starknet/proof_calldata.hpp"

using namespace zkm31;
using namespace zkm31::starknet;

namespace {
std::string render(const std::vector<Felt>& felts, bool json) {
  std::string out;
  if (json) {
    out = "[";
    for (size_t i = 0; i < felts.size(); ++i) out += (i ? ",\"" : "\"") + felts[i].hex() + "\"";
    return out + "]\n";
  }
  for (const Felt& f : felts) out += f.hex() + "\n";
  return out;
}

Felt io_commitment_of(std::span<const uint8_t> bytes) {
  const auto env = artifact::unwrap_view(bytes, "", std::numeric_limits<uint32_t>::max());
  if (env.kind == "proof") return io_commitment(env.body);
  if (env.kind != "trace") throw BadInput("io-commitment: expected a proof or trace artifact, got a '" + env.kind + "'");
  const model::Trace t = model::read_trace(bytes);
  std::vector<uint32_t> in_v, out_v;
  for (const M31& v : model::tensor_values(t, t.graph.inputs)) in_v.push_back(v.v);
  for (const M31& v : model::tensor_values(t, t.graph.outputs)) out_v.push_back(v.v);
  return io_commitment(in_v, out_v);
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serialize a proof artifact into Starknet felt252 calldata (IO commitment first), or encode values.\n"
               "Without a subcommand: reads a `proof` artifact (stdin or -i) and writes its calldata."};
  app.name("calldata");
  cli::IoOptions io;
  cli::add_io_options(app, io);
  std::string format = "hex";
  bool json = false;
  app.add_option("--format", format, "proof calldata output: hex (one felt per line) or json (array)")
      ->check(CLI::IsMember({"hex", "json"}))->capture_default_str();
  app.add_flag("--json", json, "print a JSON array of hex felts (same as --format json)");
  app.fallthrough();
  app.require_subcommand(0, 1);

  std::vector<std::string> args;
  std::string a, b, text;
  auto* sel = app.add_subcommand("selector", "entry-point selectors: sn_keccak of each NAME");
  sel->add_option("NAME", args, "function names")->required();
  auto* hash = app.add_subcommand("hash", "Starknet hashes of felts (0x-hex or decimal, each < P)");
  hash->require_subcommand(1);
  bool each_line = false;
  auto* pos = hash->add_subcommand("poseidon", "poseidon_hash_many(FELT…) (any number, also none)");
  pos->add_option("FELT", args, "felts");
  pos->add_flag("--each-line", each_line,
                "hash the felts of each stdin line instead (one hash per line; '-' for a line that is not felts)");
  auto* pos2 = hash->add_subcommand("poseidon-pair", "poseidon_hash(A, B)");
  pos2->add_option("A", a, "first felt")->required();
  pos2->add_option("B", b, "second felt")->required();
  auto* merkle = hash->add_subcommand("merkle", "Poseidon Merkle root of FELT… (or of the felts on stdin when none are given)");
  merkle->add_option("FELT", args, "leaves");
  auto* ped = hash->add_subcommand("pedersen", "pedersen_hash(A, B)");
  ped->add_option("A", a, "first felt")->required();
  ped->add_option("B", b, "second felt")->required();
  auto* peda = hash->add_subcommand("pedersen-array", "compute_hash_on_elements(FELT…): Pedersen chain over [0, FELT…, n]");
  peda->add_option("FELT", args, "felts");
  std::vector<std::string> files;
  auto* ioc = app.add_subcommand("io-commitment", "the IO commitment of each proof or trace artifact FILE (none: stdin or -i), one per line");
  ioc->add_option("FILE", files, "artifacts");
  std::string log_path, model_commitment, graph_digest;
  uint64_t time_ms = 0;
  bool repair = false, append = false;
  std::string stored_input;
  auto* entry = app.add_subcommand("audit-entry",
                                   "print the next entry of an audit log (a JSON line) for the trace artifact on stdin or -i; "
                                   "the caller holds the log's lock and appends it, or --append does both");
  entry->add_option("--log", log_path, "the log (log.jsonl; missing or empty: the entry is the first)")->required();
  entry->add_option("--model-commitment", model_commitment, "the log's model commitment (64 hex digits)")->required();
  entry->add_option("--graph-digest", graph_digest, "the log's graph digest (64 hex digits)")->required();
  entry->add_option("--time", time_ms,
                    "the entry's time, ms since the epoch (default: now; with --append read under the lock, never before the last entry's)");
  entry->add_flag("--repair", repair, "cut a torn last line (a crash mid-append) instead of refusing the log");
  auto* append_flag = entry->add_flag("--append", append,
                                      "append the entry to the log while holding the .lock beside it (as pipeline/capture.sh does)");
  entry->add_option("--store-input", stored_input,
                    "with --append: move this file to inputs/SEQ.json (SEQ.json.age if it ends in .age) beside the log first")
      ->needs(append_flag);
  auto* ss = app.add_subcommand("short-string", "TEXT (ASCII, ≤ 31 characters) as one felt");
  ss->add_option("TEXT", text, "the string")->required();
  auto* ba = app.add_subcommand("byte-array", "TEXT as Cairo ByteArray calldata: n_words, words…, pending_word, pending_len");
  ba->add_option("TEXT", text, "the string (its UTF-8 bytes)")->required();
  auto* u2 = app.add_subcommand("u256", "VALUE (< 2^256, decimal or 0x-hex) as u256 calldata: low, high");
  u2->add_option("VALUE", a, "the value")->required();

  return cli::run(app, argc, argv, &io, [&]() -> int {
    const bool as_json = json || format == "json";
    std::vector<Felt> out;
    if (sel->parsed()) {
      for (const auto& n : args) out.push_back(selector(n));
    } else if (pos->parsed() && each_line) {
      // Many hashes in one process (audit-verify.sh re-hashes a whole log).
      std::string line, text;
      while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::vector<std::string> items{std::istream_iterator<std::string>(words), {}};
        try {
          text += poseidon_hash_many(parse_felts(items)).hex() + "\n";
        } catch (const BadInput&) {
          text += "-\n";
        }
      }
      std::fwrite(text.data(), 1, text.size(), stdout);
      return cli::kOk;
    } else if (pos->parsed()) {
      out.push_back(poseidon_hash_many(parse_felts(args)));
    } else if (pos2->parsed()) {
      out.push_back(poseidon_hash(Felt::parse(a, "A"), Felt::parse(b, "B")));
    } else if (merkle->parsed()) {
      if (args.empty()) {
        const auto text = cli::read_all("-");
        out.push_back(poseidon_merkle_root(parse_felt_text({reinterpret_cast<const char*>(text.data()), text.size()}, "leaf")));
      } else {
        out.push_back(poseidon_merkle_root(parse_felts(args, "leaf")));
      }
    } else if (ioc->parsed()) {
      if (files.empty()) files.push_back(io.input);
      for (const auto& f : files) {
        try {
          out.push_back(io_commitment_of(cli::read_all(f)));
        } catch (const BadInput& e) {
          throw BadInput(f + ": " + e.what());
        }
      }
    } else if (entry->parsed()) {
      const Felt io_c = io_commitment_of(cli::read_all(io.input));
      const bool timed = entry->count("--time") > 0;
      AuditEntry e;
      if (append) {
        e = append_audit_entry(log_path, timed ? std::optional(time_ms) : std::nullopt, model_commitment, graph_digest, io_c,
                               stored_input, repair);
      } else {
        if (!timed)
          time_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch()).count());
        e = next_audit_entry(read_audit_log_tail(log_path, repair), time_ms, model_commitment, graph_digest, io_c);
      }
      const std::string line = audit_entry_line(e) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
      return cli::kOk;
    } else if (ped->parsed()) {
      out.push_back(pedersen_hash(Felt::parse(a, "A"), Felt::parse(b, "B")));
    } else if (peda->parsed()) {
      out.push_back(compute_hash_on_elements(parse_felts(args)));
    } else if (ss->parsed()) {
      out.push_back(short_string(text));
    } else if (ba->parsed()) {
      out = byte_array(text);
    } else if (u2->parsed()) {
      const auto parts = u256_split(U256::parse(a, "VALUE"));
      out = {parts.low, parts.high};
    } else {
      const ProofCalldata cd = proof_calldata(cli::read_all(io.input));
      const std::string s = render(cd.felts, as_json);
      cli::write_all(io.output, {reinterpret_cast<const uint8_t*>(s.data()), s.size()}, false);
      cli::Progress(io.quiet).line("calldata: " + std::to_string(cd.felts.size()) + " felts, io commitment " + cd.io_commitment.hex());
      return cli::kOk;
    }
    const std::string s = render(out, as_json);
    std::fwrite(s.data(), 1, s.size(), stdout);
    return cli::kOk;
  });
}
