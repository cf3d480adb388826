// vm31: the shielded pool's wallet and transaction builders.
//   keygen / address / viewing-key   a password-sealed wallet (0600 files in a 0700 directory)
//   scan / balance                   own notes in a pool state directory, by wallet or viewing key
//   deposit / transfer / withdraw    a transaction checked against the pool: its witness file, or
//                                    with --prove its zero-knowledge proof (vm31-proof)
//   prove                            a witness file → its proof
//   apply                            the pool's rules: verify each proof, recent root, unseen
//                                    nullifiers, append to the pool state directory
//   relay                            verified proofs → one felt252 calldata for `submit invoke`
// Passwords come from --password-file or VM31_PASSWORD, never from the command line; secrets are
// never printed. Exit: 0 ok · 1 transaction rejected by apply · 2 bad input · 3 internal error.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "artifact/artifact.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "stark/artifacts.hpp"
#include "vm31/circuit.hpp"
#include "vm31/files.hpp"
#include "vm31/proof.hpp"
#include "vm31/relay.hpp"
#include "vm31/transaction.hpp"
#include "vm31/wallet.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

struct Options {
  std::string wallet, pool, viewing_key, password_file, to, relayer, recipient, output, air_trace;
  uint64_t asset = 0, amount = 0, fee = 0;
  std::vector<std::string> proofs;
  double floor = 96;
  bool json = false, quiet = false, prove = false;
};

// The first line of --password-file, else VM31_PASSWORD. Messages never include it.
std::string load_password(const Options& o) {
  if (!o.password_file.empty()) {
    std::ifstream in(o.password_file);
    if (!in) throw BadInput("cannot open --password-file '" + o.password_file + "'");
    std::string line;
    std::getline(in, line);
    return line;
  }
  if (const char* env = std::getenv("VM31_PASSWORD")) return env;
  throw BadInput("no password: pass --password-file FILE or set VM31_PASSWORD");
}

Wallet open_wallet(const Options& o) {
  if (o.wallet.empty()) throw BadInput("--wallet DIR is required");
  return Wallet::open(o.wallet, load_password(o));
}

// Viewing keys from --viewing-key FILE (an auditor) or from the wallet.
ViewingKeys viewing_keys_of(const Options& o) {
  if (!o.viewing_key.empty()) {
    check_private(o.viewing_key, "viewing key file");
    auto bytes = read_file(o.viewing_key, "viewing key");
    std::string text(bytes.begin(), bytes.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return parse_viewing_keys(text);
  }
  return open_wallet(o).viewing_keys();
}

PoolState open_pool(const Options& o) {
  // Only `apply` (with the proofs) may start a pool; readers refuse a mistyped directory.
  if (!std::filesystem::is_directory(o.pool)) throw BadInput("pool directory '" + o.pool + "' does not exist");
  return PoolState(o.pool);
}

void print_line(const std::string& s) { std::cout << s << "\n"; }

std::string hex_of(const Digest& d) {
  auto b = digest_bytes(d);
  return artifact::hex(b);
}

// The witness file (0600), or with --prove the proof (public: nothing secret in it).
void write_transaction(const Options& o, const Transaction& tx, const cli::Progress& progress) {
  const std::string what = std::string(kind_name(tx.kind)) + ": " + std::to_string(tx.inputs.size()) + " input(s), " +
                           std::to_string(tx.outputs.size()) + " output(s)";
  if (!o.air_trace.empty()) {  // the circuit and its witness for stark-prove (secret as the witness file)
    write_private(o.air_trace, stark::write_air_trace({{tx_circuit(shape_of(tx), public_inputs(tx))}, {tx_trace(tx)}}));
    progress.line("vm31: " + what + ", circuit + witness → " + o.air_trace + " (secret; stark-prove proves it)");
  }
  if (!o.prove) {
    write_private(o.output, encode_transaction(tx));
    progress.line("vm31: " + what + ", witness → " + o.output + " (secret; `vm31 prove` turns it into a proof)");
    return;
  }
  cli::Stopwatch watch;
  const ProvenTransaction proven = prove_transaction(tx);
  cli::write_all(o.output, encode_proven(proven));
  char line[160];
  std::snprintf(line, sizeof line, ", proven in %.2f s, proof %.1f KB → ", watch.seconds(), proven.proof.bytes() / 1024.0);
  progress.line("vm31: " + what + line + o.output);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vm31: shielded-pool wallet and transaction builder over M31 (Poseidon2 notes, depth-20 pool).\n"
               "Password: --password-file FILE or env VM31_PASSWORD (never on the command line, never printed).\n"
               "Exit: 0 ok · 1 transaction rejected by apply · 2 bad input · 3 internal error."};
  app.name("vm31");
  Options o;
  app.add_option("--password-file", o.password_file, "file whose first line is the wallet password");
  app.add_flag("--json", o.json, "print results as JSON");
  app.add_flag("-q,--quiet", o.quiet, "no progress on stderr");
  app.fallthrough();
  app.require_subcommand(1);
  auto wallet_opt = [&](CLI::App* c) { return c->add_option("--wallet", o.wallet, "wallet directory"); };
  auto pool_opt = [&](CLI::App* c) { return c->add_option("--pool", o.pool, "pool state directory")->required(); };
  auto tx_opts = [&](CLI::App* c) {
    c->add_option("--asset", o.asset, "asset id (< 2^31 - 1)")->required();
    c->add_option("--amount", o.amount, "amount (< 2^59)")->required();
    c->add_option("-o,--output", o.output, "transaction file (written 0600: it holds the witness), or with --prove the proof")
        ->required();
    c->add_flag("--prove", o.prove, "write the zero-knowledge proof (vm31-proof) instead of the witness");
    c->add_option("--air-trace", o.air_trace, "also write the circuit and its witness as an air-trace for stark-prove (0600)");
  };

  auto* keygen = app.add_subcommand("keygen", "create a wallet (a fresh spending key sealed with the password); prints its address");
  wallet_opt(keygen)->required();
  auto* address = app.add_subcommand("address", "print the wallet's address (public key + memo encryption key)");
  wallet_opt(address)->required();
  auto* viewkey = app.add_subcommand("viewing-key", "write the wallet's viewing keys (read notes, see spends, cannot spend) to a 0600 file");
  wallet_opt(viewkey)->required();
  viewkey->add_option("-o,--output", o.output, "viewing key file")->required();
  auto* scan_cmd = app.add_subcommand("scan", "list the notes in the pool that the wallet (or viewing key) owns");
  auto* balance = app.add_subcommand("balance", "unspent amount per asset");
  for (auto* c : {scan_cmd, balance}) {
    wallet_opt(c);
    c->add_option("--viewing-key", o.viewing_key, "viewing key file (instead of --wallet)");
    pool_opt(c);
  }
  auto* deposit = app.add_subcommand("deposit", "build a deposit of a public amount into a new note for --to");
  deposit->add_option("--to", o.to, "recipient address (vm31:…)")->required();
  tx_opts(deposit);
  auto* transfer = app.add_subcommand("transfer", "build a private transfer: 1–2 own notes → a note for --to + change; fee to --relayer");
  wallet_opt(transfer)->required();
  pool_opt(transfer);
  transfer->add_option("--to", o.to, "recipient address (vm31:…)")->required();
  transfer->add_option("--fee", o.fee, "public fee paid to the relayer, same asset")->capture_default_str();
  transfer->add_option("--relayer", o.relayer, "relayer's Starknet address (felt252)")->required();
  tx_opts(transfer);
  auto* withdraw = app.add_subcommand("withdraw", "build a withdrawal of a public amount to --recipient, change back to the wallet");
  wallet_opt(withdraw)->required();
  pool_opt(withdraw);
  withdraw->add_option("--recipient", o.recipient, "recipient's Starknet address (felt252)")->required();
  tx_opts(withdraw);

  std::string tx_input;
  auto* prove = app.add_subcommand("prove", "prove a transaction witness file (from deposit / transfer / withdraw)");
  prove->add_option("-i,--input", tx_input, "transaction witness file")->required();
  prove->add_option("-o,--output", o.output, "proof file (vm31-proof)")->required();
  std::vector<std::string> tx_inputs;
  auto* prove_deposits = app.add_subcommand("prove-deposits", "prove many deposit witness files in one proof (vm31-deposit-batch)");
  prove_deposits->add_option("-o,--output", o.output, "proof file (vm31-deposit-batch)")->required();
  prove_deposits->add_option("DEPOSIT", tx_inputs, "deposit witness files (from deposit)")->required();
  auto* apply = app.add_subcommand("apply", "verify proven transactions (vm31-proof) or deposit batches (vm31-deposit-batch) and "
                                            "append them to the pool, in order; the first rejected one stops");
  apply->add_option("--pool", o.pool, "pool state directory (created if missing)")->required();
  apply->add_option("--floor", o.floor, "minimum conjectured security bits of a proof")->capture_default_str();
  apply->add_option("PROOF", o.proofs, "vm31-proof or vm31-deposit-batch files")->required();
  auto* relay = app.add_subcommand("relay", "verify proofs and batch them into one calldata for a pool contract (submit invoke --calldata-file)");
  relay->add_option("--pool", o.pool, "the relayer's pool state directory: refuse stale roots and spent nullifiers too");
  relay->add_option("--floor", o.floor, "minimum conjectured security bits of a proof")->capture_default_str();
  relay->add_option("-o,--output", o.output, "calldata file: one 0x-hex felt per line ('-': stdout)")->capture_default_str();
  relay->add_option("PROOF", o.proofs, "vm31-proof files")->required();

  return cli::run(app, argc, argv, nullptr, [&]() -> int {
    const cli::Progress progress(o.quiet);
    if (keygen->parsed()) {
      Wallet w = Wallet::create(o.wallet, load_password(o));
      print_line(address_text(w.address()));
      return cli::kOk;
    }
    if (address->parsed()) {
      print_line(address_text(open_wallet(o).address()));
      return cli::kOk;
    }
    if (viewkey->parsed()) {
      std::string text = viewing_keys_text(open_wallet(o).viewing_keys()) + "\n";
      write_private(o.output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
      progress.line("vm31: viewing keys written to " + o.output + " (whoever holds them sees this wallet's notes)");
      return cli::kOk;
    }
    if (scan_cmd->parsed() || balance->parsed()) {
      if (o.wallet.empty() == o.viewing_key.empty()) throw BadInput("pass exactly one of --wallet and --viewing-key");
      const ViewingKeys keys = viewing_keys_of(o);
      const PoolState pool = open_pool(o);
      const auto notes = scan(pool, keys);
      if (scan_cmd->parsed()) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& n : notes) {
          nlohmann::json j = {{"leaf", n.leaf}, {"asset", n.note.asset.v}, {"amount", n.note.amount()},
                              {"spent", n.spent}, {"commitment", hex_of(n.commitment)}};
          if (o.json) all.push_back(j);
          else print_line("leaf " + std::to_string(n.leaf) + "  asset " + std::to_string(n.note.asset.v) + "  amount " +
                          std::to_string(n.note.amount()) + (n.spent ? "  spent" : "  unspent"));
        }
        if (o.json) print_line(all.dump());
      } else {
        auto totals = balances(notes);
        if (o.json) {
          nlohmann::json j = nlohmann::json::object();
          for (auto [asset, amount] : totals) j[std::to_string(asset)] = amount;
          print_line(j.dump());
        } else {
          for (auto [asset, amount] : totals) print_line("asset " + std::to_string(asset) + ": " + std::to_string(amount));
        }
      }
      progress.line("vm31: " + std::to_string(notes.size()) + " own notes among " + std::to_string(pool.tree().size()));
      return cli::kOk;
    }
    if (deposit->parsed()) {
      write_transaction(o, build_deposit(parse_address(o.to), o.asset, o.amount), progress);
      return cli::kOk;
    }
    if (prove->parsed()) {
      o.prove = true;
      write_transaction(o, decode_transaction(read_file(tx_input, "transaction file")), progress);
      return cli::kOk;
    }
    if (prove_deposits->parsed()) {
      std::vector<Transaction> deposits;
      for (const auto& path : tx_inputs) {
        deposits.push_back(decode_transaction(read_file(path, "transaction file")));
        if (deposits.back().kind != TxKind::deposit) throw BadInput(path + ": a " + kind_name(deposits.back().kind) + ", not a deposit");
      }
      cli::Stopwatch watch;
      const ProvenDepositBatch batch = prove_deposit_batch(deposits);
      cli::write_all(o.output, encode_deposit_batch(batch));
      char line[200];
      std::snprintf(line, sizeof line, "vm31: %zu deposits proven in %.2f s, proof %.1f KB → %s", deposits.size(), watch.seconds(),
                    batch.proof.bytes() / 1024.0, o.output.c_str());
      progress.line(line);
      return cli::kOk;
    }
    if (relay->parsed()) {
      std::vector<std::vector<uint8_t>> proofs;
      for (const auto& path : o.proofs) proofs.push_back(cli::read_all(path));
      std::optional<PoolState> pool;
      if (!o.pool.empty()) pool.emplace(open_pool(o));
      const auto felts = relay_calldata(proofs, pool ? &*pool : nullptr, o.floor);
      std::string text;
      for (const auto& f : felts) text += f.hex() + "\n";
      cli::write_all(o.output.empty() ? "-" : o.output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, false);
      progress.line("vm31: relayed " + std::to_string(proofs.size()) + " verified transactions in " + std::to_string(felts.size()) +
                    " felts");
      return cli::kOk;
    }
    if (apply->parsed()) {
      PoolState pool(o.pool);
      for (const auto& path : o.proofs) {
        const auto bytes = cli::read_all(path);
        cli::Stopwatch watch;
        std::string what;
        if (artifact::unwrap_view(bytes, "", std::numeric_limits<uint32_t>::max()).kind == "vm31-deposit-batch") {
          const ProvenDepositBatch batch = decode_deposit_batch(bytes);
          apply_deposit_batch(pool, batch, o.floor);
          what = std::to_string(batch.deposits.size()) + " deposits";
        } else {
          const ProvenTransaction proven = decode_proven(bytes);
          apply_transaction(pool, proven, o.floor);
          what = kind_name(proven.tx.kind);
        }
        char line[200];
        std::snprintf(line, sizeof line, "vm31: applied %s (%s) in %.3f s: %zu notes in the pool", path.c_str(), what.c_str(),
                      watch.seconds(), size_t(pool.tree().size()));
        progress.line(line);
      }
      return cli::kOk;
    }
    const Wallet w = open_wallet(o);
    const PoolState pool = open_pool(o);
    if (transfer->parsed())
      write_transaction(o, build_transfer(w.spending_key(), pool, parse_address(o.to), o.asset, o.amount, o.fee, o.relayer),
                        progress);
    else
      write_transaction(o, build_withdraw(w.spending_key(), pool, o.asset, o.amount, o.recipient), progress);
    return cli::kOk;
  });
}
