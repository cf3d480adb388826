#pragma once
// INVOKE v3 transactions: the Poseidon transaction hash (as starknet.js calculateInvokeTransactionHash,
// Starknet's v3 hash), the account `__execute__` multicall calldata (Cairo 1 layout), and the
// JSON-RPC object (spec 0.9/0.10 INVOKE_TXN_V3) with starknet.js's key order.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

struct ResourceBound {
  U256 max_amount;          // u64
  U256 max_price_per_unit;  // u128
};
struct ResourceBounds {
  ResourceBound l1_gas, l2_gas, l1_data_gas;
};
enum class DaMode : uint32_t { L1 = 0, L2 = 1 };

struct InvokeV3 {
  Felt sender_address;
  std::vector<Felt> calldata;
  Felt version = Felt::from_u64(3);  // 3, or 2^128 + 3 for fee-estimation queries
  Felt nonce;
  ResourceBounds resource_bounds;
  U256 tip;  // u64
  std::vector<Felt> paymaster_data, account_deployment_data;
  DaMode nonce_da = DaMode::L1, fee_da = DaMode::L1;
  std::vector<Felt> signature;
};

// 2^128 + 3: the version starknet.js uses for starknet_estimateFee requests.
Felt query_version();
// "SN_SEPOLIA" / "SN_MAIN" / any short string, or a number (0x-hex or decimal).
Felt parse_chain_id(std::string_view s);
// "A,P" → max_amount A (u64) and max_price_per_unit P (u128); numbers in decimal or 0x-hex.
ResourceBound parse_resource_bound(std::string_view s, std::string_view what);

Felt invoke_v3_hash(const InvokeV3& tx, const Felt& chain_id);

struct Call {
  Felt to, selector;
  std::vector<Felt> calldata;
};
// Cairo 1 account __execute__ calldata: [n_calls, (to, selector, len, data…)…].
std::vector<Felt> execute_calldata(const std::vector<Call>& calls);

using ojson = nlohmann::ordered_json;
ojson to_rpc_json(const InvokeV3& tx);
// Reads an INVOKE v3 JSON-RPC object (unknown keys refused; signature optional); BadInput on errors.
InvokeV3 from_rpc_json(const nlohmann::json& j);
ojson to_rpc_json(const ResourceBounds& b);

}  // namespace zkm31::starknet
