#include "starknet/tx.hpp"

#include <cctype>
#include <set>

#include "starknet/encoding.hpp"
#include "starknet/poseidon.hpp"

namespace zkm31::starknet {

namespace {
const U256 kU64Max(~0ull), kU128Max(~0ull, ~0ull, 0, 0);

Felt hash_felts(const std::vector<Felt>& v) { return poseidon_hash_many(v); }

// (name << 192) | (max_amount << 128) | max_price_per_unit
Felt encode_bound(std::string_view name, const ResourceBound& b, std::string_view what) {
  if (b.max_amount > kU64Max) throw BadInput(std::string(what) + " max_amount does not fit in u64");
  if (b.max_price_per_unit > kU128Max) throw BadInput(std::string(what) + " max_price_per_unit does not fit in u128");
  U256 v = shl(short_string(name).value(), 192);
  v.w[2] = b.max_amount.w[0];
  v.w[0] = b.max_price_per_unit.w[0];
  v.w[1] = b.max_price_per_unit.w[1];
  return Felt::from_u256(v, what);
}

std::string hex(const Felt& f) { return f.hex(); }
ojson hex_array(const std::vector<Felt>& v) {
  ojson a = ojson::array();
  for (const Felt& f : v) a.push_back(f.hex());
  return a;
}
const char* da_name(DaMode m) { return m == DaMode::L1 ? "L1" : "L2"; }
}  // namespace

Felt query_version() { return Felt::from_u256(U256(3, 0, 1, 0)); }

Felt parse_chain_id(std::string_view s) {
  if (s.empty()) throw BadInput("empty chain id");
  if (std::isdigit((unsigned char)s[0])) return Felt::parse(s, "chain id");
  return short_string(s);
}

ResourceBound parse_resource_bound(std::string_view s, std::string_view what) {
  const auto comma = s.find(',');
  if (comma == std::string_view::npos) throw BadInput(std::string(what) + " must be MAX_AMOUNT,MAX_PRICE_PER_UNIT, got '" + std::string(s) + "'");
  ResourceBound b{U256::parse(s.substr(0, comma), std::string(what) + " max amount"),
                  U256::parse(s.substr(comma + 1), std::string(what) + " max price per unit")};
  if (b.max_amount > kU64Max) throw BadInput(std::string(what) + " max amount does not fit in u64");
  if (b.max_price_per_unit > kU128Max) throw BadInput(std::string(what) + " max price per unit does not fit in u128");
  return b;
}

Felt invoke_v3_hash(const InvokeV3& tx, const Felt& chain_id) {
  if (tx.tip > kU64Max) throw BadInput("tip does not fit in u64");
  const std::vector<Felt> fee{Felt::from_u256(tx.tip), encode_bound("L1_GAS", tx.resource_bounds.l1_gas, "l1_gas"),
                              encode_bound("L2_GAS", tx.resource_bounds.l2_gas, "l2_gas"),
                              encode_bound("L1_DATA", tx.resource_bounds.l1_data_gas, "l1_data_gas")};
  const Felt da = Felt::from_u256(U256((uint64_t)tx.nonce_da << 32 | (uint64_t)tx.fee_da));
  const std::vector<Felt> fields{short_string("invoke"), tx.version, tx.sender_address, hash_felts(fee),
                                 hash_felts(tx.paymaster_data), chain_id, tx.nonce, da,
                                 hash_felts(tx.account_deployment_data), hash_felts(tx.calldata)};
  return hash_felts(fields);
}

std::vector<Felt> execute_calldata(const std::vector<Call>& calls) {
  std::vector<Felt> out{Felt::from_u64(calls.size())};
  for (const Call& c : calls) {
    out.push_back(c.to);
    out.push_back(c.selector);
    out.push_back(Felt::from_u64(c.calldata.size()));
    out.insert(out.end(), c.calldata.begin(), c.calldata.end());
  }
  return out;
}

ojson to_rpc_json(const ResourceBounds& b) {
  auto one = [](const ResourceBound& r) {
    ojson o;
    o["max_amount"] = r.max_amount.hex();
    o["max_price_per_unit"] = r.max_price_per_unit.hex();
    return o;
  };
  ojson o;
  o["l1_gas"] = one(b.l1_gas);
  o["l2_gas"] = one(b.l2_gas);
  o["l1_data_gas"] = one(b.l1_data_gas);
  return o;
}

ojson to_rpc_json(const InvokeV3& tx) {
  ojson o;
  o["type"] = "INVOKE";
  o["sender_address"] = hex(tx.sender_address);
  o["calldata"] = hex_array(tx.calldata);
  o["signature"] = hex_array(tx.signature);
  o["nonce"] = hex(tx.nonce);
  o["resource_bounds"] = to_rpc_json(tx.resource_bounds);
  o["tip"] = tx.tip.hex();
  o["paymaster_data"] = hex_array(tx.paymaster_data);
  o["nonce_data_availability_mode"] = da_name(tx.nonce_da);
  o["fee_data_availability_mode"] = da_name(tx.fee_da);
  o["account_deployment_data"] = hex_array(tx.account_deployment_data);
  o["version"] = hex(tx.version);
  return o;
}

InvokeV3 from_rpc_json(const nlohmann::json& j) {
  if (!j.is_object()) throw BadInput("transaction JSON must be an object");
  static const std::set<std::string> known{"type", "sender_address", "calldata", "signature", "nonce", "resource_bounds", "tip",
                                           "paymaster_data", "nonce_data_availability_mode", "fee_data_availability_mode",
                                           "account_deployment_data", "version", "chain_id"};
  for (const auto& [k, _] : j.items())
    if (!known.count(k)) throw BadInput("transaction JSON: unknown field '" + k + "'");
  auto str = [&](const char* key) -> std::string {
    if (!j.contains(key)) throw BadInput(std::string("transaction JSON: missing '") + key + "'");
    if (!j[key].is_string()) throw BadInput(std::string("transaction JSON: '") + key + "' must be a string");
    return j[key].get<std::string>();
  };
  auto felts = [&](const char* key, bool required) {
    std::vector<Felt> out;
    if (!j.contains(key)) {
      if (required) throw BadInput(std::string("transaction JSON: missing '") + key + "'");
      return out;
    }
    if (!j[key].is_array()) throw BadInput(std::string("transaction JSON: '") + key + "' must be an array");
    for (size_t i = 0; i < j[key].size(); ++i) {
      if (!j[key][i].is_string()) throw BadInput(std::string("transaction JSON: ") + key + "[" + std::to_string(i) + "] must be a string");
      out.push_back(Felt::parse(j[key][i].get<std::string>(), std::string(key) + "[" + std::to_string(i) + "]"));
    }
    return out;
  };
  auto da = [&](const char* key) {
    if (!j.contains(key)) return DaMode::L1;
    const std::string v = str(key);
    if (v == "L1") return DaMode::L1;
    if (v == "L2") return DaMode::L2;
    throw BadInput(std::string("transaction JSON: '") + key + "' must be L1 or L2");
  };
  if (j.contains("type") && str("type") != "INVOKE") throw BadInput("transaction JSON: type must be INVOKE");
  InvokeV3 tx;
  tx.sender_address = Felt::parse(str("sender_address"), "sender_address");
  tx.calldata = felts("calldata", true);
  tx.signature = felts("signature", false);
  tx.nonce = Felt::parse(str("nonce"), "nonce");
  tx.version = Felt::parse(str("version"), "version");
  if (!(tx.version == Felt::from_u64(3) || tx.version == query_version()))
    throw BadInput("transaction JSON: version must be 0x3 (or the query version 0x100000000000000000000000000000003)");
  tx.tip = j.contains("tip") ? U256::parse(str("tip"), "tip") : U256();
  tx.paymaster_data = felts("paymaster_data", false);
  tx.account_deployment_data = felts("account_deployment_data", false);
  tx.nonce_da = da("nonce_data_availability_mode");
  tx.fee_da = da("fee_data_availability_mode");
  if (!j.contains("resource_bounds") || !j["resource_bounds"].is_object()) throw BadInput("transaction JSON: missing object 'resource_bounds'");
  const auto& rb = j["resource_bounds"];
  auto bound = [&](const char* key) {
    if (!rb.contains(key) || !rb[key].is_object()) throw BadInput(std::string("transaction JSON: resource_bounds.") + key + " missing");
    const auto& b = rb[key];
    for (const char* f : {"max_amount", "max_price_per_unit"})
      if (!b.contains(f) || !b[f].is_string()) throw BadInput(std::string("transaction JSON: resource_bounds.") + key + "." + f + " must be a string");
    return parse_resource_bound(b["max_amount"].get<std::string>() + "," + b["max_price_per_unit"].get<std::string>(),
                                std::string("resource_bounds.") + key);
  };
  tx.resource_bounds = {bound("l1_gas"), bound("l2_gas"), bound("l1_data_gas")};
  return tx;
}

}  // namespace zkm31::starknet
