#pragma once
// A minimal Starknet JSON-RPC client over libcurl (spec 0.9/0.10 methods used by `submit`).
// Request bodies have starknet.js's shape and key order: {"id","jsonrpc","method","params"}.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "error/error.hpp"
#include "starknet/tx.hpp"

namespace zkm31::starknet {

// The node answered with a JSON-RPC error: it refused the request (exit 2, code and message shown).
struct NodeError : BadInput {
  NodeError(int64_t code, const std::string& message, const std::string& data)
      : BadInput("node error " + std::to_string(code) + ": " + message + (data.empty() ? "" : " (" + data + ")")), code(code) {}
  int64_t code;
};

// No usable answer: connection failure, HTTP error without a JSON-RPC body, malformed reply,
// or a receipt that did not arrive in time (exit 3).
struct NetworkError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string rpc_request_body(int64_t id, const std::string& method, const ojson& params);

// The `result` of a JSON-RPC reply to `method` (HTTP status, body); NodeError for a JSON-RPC error,
// NetworkError for anything else that is no answer. RpcClient::call's parsing, apart for tests.
nlohmann::json rpc_result(const std::string& method, long status, const std::string& response);

class RpcClient {
 public:
  explicit RpcClient(std::string url, double request_timeout_seconds = 30);
  // Sends one request and returns its `result`; throws NodeError or NetworkError.
  nlohmann::json call(const std::string& method, const ojson& params);
  int64_t next_id() const { return next_id_; }
  void set_request_timeout(double seconds) { timeout_ = seconds; }

 private:
  std::string url_;
  double timeout_;
  int64_t next_id_ = 1;
};

// starknet_estimateFee for an unsigned query-version copy of tx (SKIP_VALIDATE, block "latest"),
// then starknet.js's default margins: +50% on every amount and price.
ResourceBounds estimate_resource_bounds(RpcClient& rpc, const InvokeV3& tx);
ojson estimate_fee_params(const InvokeV3& tx);
// The bounds (margins added) from starknet_estimateFee's result; NetworkError if it is malformed.
ResourceBounds resource_bounds_of(const nlohmann::json& estimate);

struct ReceiptOutcome {
  enum Status { Succeeded, Reverted, TimedOut } status = TimedOut;
  std::string finality_status, revert_reason;
  nlohmann::json receipt;
};
// What a receipt (starknet_getTransactionReceipt's result) says; NetworkError if it says nothing known.
ReceiptOutcome receipt_outcome(const nlohmann::json& receipt);
// Polls starknet_getTransactionReceipt until the node knows the transaction, with back-off from
// `first_poll` seconds (×1.5, at most 5 s) and an overall deadline of `timeout` seconds.
ReceiptOutcome wait_for_receipt(RpcClient& rpc, const Felt& tx_hash, double timeout, double first_poll);

}  // namespace zkm31::starknet
