// What `submit` reads from a node: JSON-RPC replies, fee estimates and receipts. A node's reply is
// untrusted input: every malformed shape is a NetworkError (exit 3) or a NodeError (exit 2), never a
// nlohmann type_error. The replies are the fuzz seeds of tests/fuzz/seeds/rpc (one of them the input
// `make fuzz` found crashing receipt_outcome).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "starknet/rpc.hpp"

namespace {

using namespace zkm31::starknet;

std::string seed(const std::string& name) {
  std::ifstream in(std::string(ZKM31_SOURCE_DIR) + "/tests/fuzz/seeds/rpc/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

TEST(Rpc, ReceiptWithANonStringStatusIsANetworkError) {
  const auto result = rpc_result("starknet_getTransactionReceipt", 200, seed("receipt_status_not_a_string.json"));
  EXPECT_THROW(receipt_outcome(result), NetworkError);
}

TEST(Rpc, ReceiptSaysSucceededOrReverted) {
  const auto reverted = receipt_outcome(rpc_result("starknet_getTransactionReceipt", 200, seed("receipt.json")));
  EXPECT_EQ(reverted.status, ReceiptOutcome::Reverted);
  EXPECT_EQ(reverted.revert_reason, "assertion failed");
  EXPECT_EQ(reverted.finality_status, "ACCEPTED_ON_L2");
  const auto ok = receipt_outcome(nlohmann::json::parse(R"({"execution_status":"SUCCEEDED","finality_status":"ACCEPTED_ON_L2"})"));
  EXPECT_EQ(ok.status, ReceiptOutcome::Succeeded);
  EXPECT_EQ(receipt_outcome(nlohmann::json::parse(R"({"execution_status":"REVERTED"})")).revert_reason, "(no reason given)");
  EXPECT_THROW(receipt_outcome(nlohmann::json::parse(R"({"execution_status":"MAYBE"})")), NetworkError);
  EXPECT_THROW(receipt_outcome(nlohmann::json::parse("[1]")), NetworkError);
}

TEST(Rpc, NodeErrorCarriesItsCode) {
  try {
    rpc_result("starknet_addInvokeTransaction", 200, seed("error.json"));
    FAIL() << "an error reply returned a result";
  } catch (const NodeError& e) {
    EXPECT_NE(e.code, 0);
  }
  // An error object whose fields have the wrong types still names a node error, with defaults.
  EXPECT_THROW(rpc_result("m", 200, R"({"error":{"code":"x","message":7,"data":[1]}})"), NodeError);
}

TEST(Rpc, MalformedRepliesAreNetworkErrors) {
  EXPECT_THROW(rpc_result("m", 502, "<html>bad gateway</html>"), NetworkError);
  EXPECT_THROW(rpc_result("m", 500, R"({"result":1})"), NetworkError);
  EXPECT_THROW(rpc_result("m", 200, R"({"jsonrpc":"2.0","id":1})"), NetworkError);
  EXPECT_THROW(rpc_result("m", 200, "[]"), NetworkError);
  EXPECT_THROW(rpc_result("m", 200, R"({"result":)"), NetworkError);
}

TEST(Rpc, FeeEstimateShapeIsChecked) {
  const auto bounds = resource_bounds_of(rpc_result("starknet_estimateFee", 200, seed("estimate_fee.json")));
  EXPECT_GT(bounds.l2_gas.max_amount, 0u);
  EXPECT_THROW(resource_bounds_of(nlohmann::json::parse("[]")), NetworkError);
  EXPECT_THROW(resource_bounds_of(nlohmann::json::parse(R"([{"l1_gas_consumed":7}])")), NetworkError);
  EXPECT_THROW(resource_bounds_of(nlohmann::json::parse(R"({"l1_gas_consumed":"0x1"})")), NetworkError);
}

}  // namespace
