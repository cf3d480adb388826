// submit: sign and send an INVOKE v3 transaction over Starknet JSON-RPC, and the key/hash helpers.
// Exit codes: 0 accepted (with --wait: succeeded) · 1 reverted · 2 bad input or a node JSON-RPC error ·
// 3 network failure, malformed node reply, or --wait timeout. The private key is never printed.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/cli.hpp"
#include "starknet/curve.hpp"
#include "starknet/keccak.hpp"
#include "starknet/rpc.hpp"
#include "starknet/tx.hpp"

using namespace zkm31;
using namespace zkm31::starknet;

namespace {

std::string read_text(const std::string& path, const char* what) {
  if (path == "-") {
    if (::isatty(0)) throw BadInput(std::string("no ") + what + " on stdin: pipe it in or pass a file");
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path);
  if (!in) throw BadInput(std::string("cannot open ") + what + " file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The key from --private-key-file or STARKNET_PRIVATE_KEY. Error messages never include it.
U256 load_private_key(const std::string& file) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw BadInput("cannot open --private-key-file '" + file + "'");
    std::getline(in, text);
  } else if (const char* env = std::getenv("STARKNET_PRIVATE_KEY")) {
    text = env;
  } else {
    throw BadInput("no private key: pass --private-key-file FILE or set STARKNET_PRIVATE_KEY");
  }
  while (!text.empty() && std::isspace((unsigned char)text.back())) text.pop_back();
  while (!text.empty() && std::isspace((unsigned char)text.front())) text.erase(text.begin());
  U256 key;
  try {
    key = U256::parse(text, "private key");
  } catch (const BadInput&) {
    throw BadInput("private key is malformed (expected 0x-hex or decimal)");
  }
  if (key.is_zero() || key >= kN) throw BadInput("private key must be in [1, N) (the Stark curve order)");
  return key;
}

void print_lines(const std::vector<std::string>& lines, bool json) {
  if (json) {
    std::cout << nlohmann::json(lines).dump() << "\n";
  } else {
    for (const auto& l : lines) std::cout << l << "\n";
  }
}

struct InvokeArgs {
  std::string rpc, account, contract, function, calldata_file = "-", nonce, chain_id, l1_gas, l2_gas, l1_data_gas, tip = "0";
  bool dry_run = false, wait = false;
  double timeout = 300, poll = 1;
};

int invoke(const InvokeArgs& a, const std::string& key_file, bool json, const cli::Progress& progress) {
  InvokeV3 tx;
  tx.sender_address = Felt::parse(a.account, "--account");
  const Felt contract = Felt::parse(a.contract, "--contract");
  const std::vector<Felt> args = parse_felt_text(read_text(a.calldata_file, "calldata"), "calldata");
  tx.calldata = execute_calldata({{contract, selector(a.function), args}});
  tx.tip = U256::parse(a.tip, "--tip");
  const int given = !a.l1_gas.empty() + !a.l2_gas.empty() + !a.l1_data_gas.empty();
  if (given != 0 && given != 3) throw BadInput("give all of --l1-gas, --l2-gas and --l1-data-gas, or none (then they are estimated)");
  const U256 key = load_private_key(key_file);

  RpcClient rpc(a.rpc);
  const Felt chain = !a.chain_id.empty() ? parse_chain_id(a.chain_id) : [&] {
    const auto r = rpc.call("starknet_chainId", ojson::array());
    if (!r.is_string()) throw NetworkError("starknet_chainId: result is not a string");
    return Felt::parse(r.get<std::string>(), "chain id from the node");
  }();
  if (!a.nonce.empty()) {
    tx.nonce = Felt::parse(a.nonce, "--nonce");
  } else {
    ojson p;
    p["contract_address"] = tx.sender_address.hex();
    p["block_id"] = "latest";
    const auto r = rpc.call("starknet_getNonce", p);
    if (!r.is_string()) throw NetworkError("starknet_getNonce: result is not a string");
    tx.nonce = Felt::parse(r.get<std::string>(), "nonce from the node");
  }
  if (given == 3) {
    tx.resource_bounds = {parse_resource_bound(a.l1_gas, "--l1-gas"), parse_resource_bound(a.l2_gas, "--l2-gas"),
                          parse_resource_bound(a.l1_data_gas, "--l1-data-gas")};
  } else {
    tx.resource_bounds = estimate_resource_bounds(rpc, tx);
    progress.line("submit: estimated resource bounds (+50%): " + to_rpc_json(tx.resource_bounds).dump());
  }
  const Felt hash = invoke_v3_hash(tx, chain);
  const Signature sig = sign(hash.value(), key);
  tx.signature = {sig.r, sig.s};
  ojson params;
  params["invoke_transaction"] = to_rpc_json(tx);
  if (a.dry_run) {
    std::cout << rpc_request_body(rpc.next_id(), "starknet_addInvokeTransaction", params) << "\n";
    progress.line("submit: dry run, transaction hash " + hash.hex() + " (not sent)");
    return cli::kOk;
  }
  const auto res = rpc.call("starknet_addInvokeTransaction", params);
  if (!res.is_object() || !res.contains("transaction_hash") || !res["transaction_hash"].is_string())
    throw NetworkError("starknet_addInvokeTransaction: reply without transaction_hash");
  const Felt node_hash = Felt::parse(res["transaction_hash"].get<std::string>(), "transaction hash from the node");
  if (!(node_hash == hash)) progress.line("submit: warning: node reports hash " + node_hash.hex() + ", computed " + hash.hex());
  progress.line("submit: sent, transaction hash " + node_hash.hex());
  if (!a.wait) {
    if (json) std::cout << nlohmann::json{{"transaction_hash", node_hash.hex()}, {"status", "RECEIVED"}}.dump() << "\n";
    else std::cout << node_hash.hex() << "\n";
    return cli::kOk;
  }
  const ReceiptOutcome r = wait_for_receipt(rpc, node_hash, a.timeout, a.poll);
  const char* status = r.status == ReceiptOutcome::Succeeded ? "SUCCEEDED" : r.status == ReceiptOutcome::Reverted ? "REVERTED" : "TIMEOUT";
  if (json) {
    nlohmann::json o{{"transaction_hash", node_hash.hex()}, {"status", status}, {"finality_status", r.finality_status}};
    if (r.status == ReceiptOutcome::Reverted) o["revert_reason"] = r.revert_reason;
    std::cout << o.dump() << "\n";
  } else {
    std::cout << node_hash.hex() << "\n";
  }
  switch (r.status) {
    case ReceiptOutcome::Succeeded:
      progress.line("submit: succeeded (" + r.finality_status + ")");
      return cli::kOk;
    case ReceiptOutcome::Reverted:
      std::cerr << "submit: reverted: " << r.revert_reason << "\n";
      return cli::kRejected;
    default:
      std::cerr << "submit: error: no receipt within " << a.timeout << " s (the transaction may still be accepted later)\n";
      return cli::kInternal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sign and send Starknet INVOKE v3 transactions over JSON-RPC; key and hash helpers.\n"
               "Key: --private-key-file FILE or env STARKNET_PRIVATE_KEY (never printed).\n"
               "Exit: 0 ok · 1 reverted · 2 bad input or node error · 3 network failure or --wait timeout."};
  app.name("submit");
  std::string key_file;
  bool json = false, quiet = false;
  app.add_option("--private-key-file", key_file, "file holding the private key (0x-hex or decimal)");
  app.add_flag("--json", json, "print results as JSON");
  app.add_flag("-q,--quiet", quiet, "no progress on stderr");
  app.fallthrough();
  app.require_subcommand(1);

  InvokeArgs ia;
  auto* inv = app.add_subcommand("invoke", "call CONTRACT.FUNCTION(calldata) from ACCOUNT in a signed INVOKE v3");
  inv->add_option("--rpc", ia.rpc, "JSON-RPC endpoint URL (spec 0.9/0.10)")->required();
  inv->add_option("--account", ia.account, "account contract address (the sender)")->required();
  inv->add_option("--contract", ia.contract, "contract to call")->required();
  inv->add_option("--function", ia.function, "entry point name")->required();
  inv->add_option("--calldata-file", ia.calldata_file, "felts, one per line or a JSON array ('-': stdin)")->capture_default_str();
  inv->add_option("--nonce", ia.nonce, "account nonce (default: starknet_getNonce)");
  inv->add_option("--chain-id", ia.chain_id, "SN_SEPOLIA, SN_MAIN, another short string or a number (default: starknet_chainId)");
  inv->add_option("--l1-gas", ia.l1_gas, "AMOUNT,PRICE bound (all three or none: estimated via starknet_estimateFee +50%)");
  inv->add_option("--l2-gas", ia.l2_gas, "AMOUNT,PRICE bound");
  inv->add_option("--l1-data-gas", ia.l1_data_gas, "AMOUNT,PRICE bound");
  inv->add_option("--tip", ia.tip, "tip (u64)")->capture_default_str();
  inv->add_flag("--dry-run", ia.dry_run, "print the starknet_addInvokeTransaction request body instead of sending it");
  inv->add_flag("--wait", ia.wait, "poll starknet_getTransactionReceipt until succeeded / reverted / timeout");
  inv->add_option("--timeout", ia.timeout, "seconds to wait for the receipt")->capture_default_str()->check(CLI::PositiveNumber);
  inv->add_option("--poll", ia.poll, "first polling interval in seconds (then ×1.5, at most 5 s)")->capture_default_str()->check(CLI::PositiveNumber);

  auto* pub = app.add_subcommand("public-key", "print the stark key (x of the public key; --json adds y)");
  std::string hash_arg, chain_arg, tx_file = "-";
  auto* sgn = app.add_subcommand("sign", "sign HASH (< 2^251): prints r and s");
  sgn->add_option("HASH", hash_arg, "message hash")->required();
  auto* txh = app.add_subcommand("tx-hash", "hash of a JSON-RPC INVOKE v3 object (with chain_id) read from stdin or -i");
  txh->add_option("-i,--input", tx_file, "transaction JSON file ('-': stdin)")->capture_default_str();
  txh->add_option("--chain-id", chain_arg, "chain id, if the object has no chain_id");

  return cli::run(app, argc, argv, nullptr, [&]() -> int {
    const cli::Progress progress(quiet);
    try {
      if (inv->parsed()) return invoke(ia, key_file, json, progress);
      if (pub->parsed()) {
        const Point p = public_key(load_private_key(key_file));
        if (json) std::cout << nlohmann::json{{"stark_key", p.x.hex()}, {"x", p.x.hex()}, {"y", p.y.hex()}}.dump() << "\n";
        else std::cout << p.x.hex() << "\n";
        return cli::kOk;
      }
      if (sgn->parsed()) {
        const Felt h = Felt::parse(hash_arg, "HASH");
        const Signature s = sign(h.value(), load_private_key(key_file));
        print_lines({s.r.hex(), s.s.hex()}, json);
        return cli::kOk;
      }
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(read_text(tx_file, "transaction JSON"));
      } catch (const nlohmann::json::exception& e) {
        throw BadInput(std::string("transaction JSON: ") + e.what());
      }
      if (!j.is_object()) throw BadInput("transaction JSON must be an object");
      std::string chain = chain_arg;
      if (j.contains("chain_id")) {
        if (!j["chain_id"].is_string()) throw BadInput("transaction JSON: chain_id must be a string");
        chain = j["chain_id"].get<std::string>();
      }
      if (chain.empty()) throw BadInput("no chain id: add \"chain_id\" to the object or pass --chain-id");
      print_lines({invoke_v3_hash(from_rpc_json(j), parse_chain_id(chain)).hex()}, json);
      return cli::kOk;
    } catch (const NetworkError& e) {
      std::cerr << "submit: error: network: " << e.what() << "\n";
      return cli::kInternal;
    }
  });
}
