#include <gtest/gtest.h>

#include "starknet/keccak.hpp"
#include "starknet/tx.hpp"
#include "vectors.hpp"

using namespace zkm31;
using namespace zkm31::starknet;
using test::felt;
using test::felts;
using test::vectors;

TEST(Invoke, ExecuteCalldata) {
  for (const auto& v : vectors()["execute_calldata"]) {
    std::vector<Call> calls;
    for (const auto& c : v["calls"])
      calls.push_back({felt(c["contractAddress"]), selector(c["entrypoint"].get<std::string>()), felts(c["calldata"])});
    std::vector<std::string> got;
    for (const Felt& f : execute_calldata(calls)) got.push_back(f.hex());
    EXPECT_EQ(got, v["calldata"].get<std::vector<std::string>>());
  }
}

namespace {
// The vector minus its test-only keys (chain name, expected hash).
nlohmann::json tx_json(const nlohmann::json& v) {
  nlohmann::json j = v;
  j.erase("chain");
  j.erase("hash");
  return j;
}
}  // namespace

TEST(Invoke, V3HashesSepoliaAndMainnet) {
  int n = 0;
  for (const auto& v : vectors()["invoke_v3"]) {
    const InvokeV3 tx = from_rpc_json(tx_json(v));
    EXPECT_EQ(invoke_v3_hash(tx, parse_chain_id(v["chain"].get<std::string>())).hex(), v["hash"].get<std::string>()) << v.dump();
    EXPECT_EQ(invoke_v3_hash(tx, felt(v["chain_id"])).hex(), v["hash"].get<std::string>());
    ++n;
  }
  EXPECT_GE(n, 16);
}

TEST(Invoke, HashChangesWithEveryField) {
  const auto& v = vectors()["invoke_v3"][4];  // the case with paymaster data, deployment data, L2 DA modes
  const InvokeV3 base = from_rpc_json(tx_json(v));
  const Felt chain = parse_chain_id("SN_SEPOLIA"), h = invoke_v3_hash(base, chain);
  auto differs = [&](auto mutate) {
    InvokeV3 t = base;
    mutate(t);
    return !(invoke_v3_hash(t, chain) == h);
  };
  EXPECT_TRUE(differs([](InvokeV3& t) { t.nonce += Felt::one(); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.tip = U256(99); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.resource_bounds.l2_gas.max_amount = U256(77); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.resource_bounds.l1_data_gas.max_price_per_unit = U256(77); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.paymaster_data.clear(); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.account_deployment_data.clear(); }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.nonce_da = DaMode::L1; }));
  EXPECT_TRUE(differs([](InvokeV3& t) { t.calldata.push_back(Felt::one()); }));
  EXPECT_FALSE(differs([](InvokeV3& t) { t.signature = {Felt::one()}; }));
  EXPECT_FALSE(invoke_v3_hash(base, parse_chain_id("SN_MAIN")) == h);
}

TEST(Invoke, RpcJsonRoundTripKeepsStarknetJsOrder) {
  const auto& req = vectors()["rpc_explicit"]["requests"][0];
  const auto body = nlohmann::json::parse(req["body"].get<std::string>());
  const auto& txj = body["params"]["invoke_transaction"];
  const InvokeV3 tx = from_rpc_json(txj);
  // starknet.js sends the object with this exact key order and hex formatting.
  const std::string want = nlohmann::ordered_json::parse(req["body"].get<std::string>())["params"]["invoke_transaction"].dump();
  EXPECT_EQ(to_rpc_json(tx).dump(), want);
}

TEST(Invoke, RejectsMalformedJson) {
  nlohmann::json j = tx_json(vectors()["invoke_v3"][0]);
  j["bogus"] = 1;
  EXPECT_THROW(from_rpc_json(j), BadInput);
  j = tx_json(vectors()["invoke_v3"][0]);
  j["version"] = "0x1";
  EXPECT_THROW(from_rpc_json(j), BadInput);
  j = tx_json(vectors()["invoke_v3"][0]);
  j["resource_bounds"]["l1_gas"]["max_amount"] = "0x10000000000000000";  // 2^64
  EXPECT_THROW(from_rpc_json(j), BadInput);
  j = tx_json(vectors()["invoke_v3"][0]);
  j["nonce"] = "0x800000000000011000000000000000000000000000000000000000000000001";  // = P
  EXPECT_THROW(from_rpc_json(j), BadInput);
  j = tx_json(vectors()["invoke_v3"][0]);
  j.erase("sender_address");
  EXPECT_THROW(from_rpc_json(j), BadInput);
}

TEST(Invoke, ParsesChainIdsAndBounds) {
  EXPECT_EQ(parse_chain_id("SN_SEPOLIA").hex(), "0x534e5f5345504f4c4941");
  EXPECT_EQ(parse_chain_id("0x534e5f4d41494e").hex(), "0x534e5f4d41494e");
  const auto b = parse_resource_bound("100,0x3b9aca00", "l1_gas");
  EXPECT_EQ(b.max_amount, U256(100));
  EXPECT_EQ(b.max_price_per_unit, U256(0x3b9aca00));
  EXPECT_THROW(parse_resource_bound("100", "l1_gas"), BadInput);
  EXPECT_THROW(parse_resource_bound("18446744073709551616,1", "l1_gas"), BadInput);
}
