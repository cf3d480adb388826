#include "starknet/rpc.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace zkm31::starknet {

namespace {
// Starknet JSON-RPC: "Transaction hash not found".
constexpr int64_t kTxnHashNotFound = 29;

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

U256 hex_field(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) throw NetworkError(std::string("fee estimate without '") + key + "'");
  if (j[key].is_number_unsigned()) return U256(j[key].get<uint64_t>());
  if (!j[key].is_string()) throw NetworkError(std::string("fee estimate field '") + key + "' is not a string");
  try {
    return U256::parse(j[key].get<std::string>(), key);
  } catch (const BadInput& e) {
    throw NetworkError(std::string("malformed fee estimate: ") + e.what());
  }
}

// A receipt's string field, `absent` if missing; a node sending another type is no answer (json's
// own get<std::string> would throw a type error the tools report as an internal error).
std::string receipt_string(const nlohmann::json& r, const char* key, const char* absent) {
  if (!r.contains(key)) return absent;
  if (!r[key].is_string()) throw NetworkError(std::string("receipt field '") + key + "' is not a string");
  return r[key].get<std::string>();
}

// x + x·50/100 (integer), starknet.js's default resourceBoundsOverhead.
U256 with_margin(const U256& x) {
  U256 half = shr(x, 1);  // x·50/100 = ⌊x/2⌋
  U256 r = x;
  if (add_to(r, half)) throw NetworkError("fee estimate overflows 256 bits");
  return r;
}
}  // namespace

std::string rpc_request_body(int64_t id, const std::string& method, const ojson& params) {
  ojson body;
  body["id"] = id;
  body["jsonrpc"] = "2.0";
  body["method"] = method;
  body["params"] = params;
  return body.dump();
}

RpcClient::RpcClient(std::string url, double request_timeout_seconds) : url_(std::move(url)), timeout_(request_timeout_seconds) {
  static CurlGlobal global;
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
    throw BadInput("--rpc must be an http:// or https:// URL, got '" + url_ + "'");
}

nlohmann::json RpcClient::call(const std::string& method, const ojson& params) {
  const int64_t id = next_id_++;
  const std::string body = rpc_request_body(id, method, params);
  CURL* curl = curl_easy_init();
  if (!curl) throw NetworkError("cannot initialise libcurl");
  std::string response;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.size());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)std::max(1.0, timeout_ * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)std::max(1.0, std::min(timeout_, 10.0) * 1000));
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    throw NetworkError(method + ": " + (errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc))));
  return rpc_result(method, status, response);
}

nlohmann::json rpc_result(const std::string& method, long status, const std::string& response) {
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(response);
  } catch (const nlohmann::json::exception&) {
    throw NetworkError(method + ": HTTP " + std::to_string(status) + ", not a JSON reply: " + response.substr(0, 120));
  }
  if (reply.is_object() && reply.contains("error") && reply["error"].is_object()) {
    const auto& e = reply["error"];
    const int64_t code = e.contains("code") && e["code"].is_number_integer() ? e["code"].get<int64_t>() : 0;
    const std::string msg = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "(no message)";
    const std::string data = e.contains("data") ? (e["data"].is_string() ? e["data"].get<std::string>() : e["data"].dump()) : "";
    throw NodeError(code, msg, data.substr(0, 400));
  }
  if (status != 200) throw NetworkError(method + ": HTTP " + std::to_string(status));
  if (!reply.is_object() || !reply.contains("result"))
    throw NetworkError(method + ": reply has neither result nor error");
  return reply["result"];
}

ojson estimate_fee_params(const InvokeV3& tx) {
  InvokeV3 q = tx;
  q.version = query_version();
  q.signature.clear();
  q.resource_bounds = {};
  ojson params;
  params["request"] = ojson::array({to_rpc_json(q)});
  params["block_id"] = "latest";
  params["simulation_flags"] = ojson::array({"SKIP_VALIDATE"});
  return params;
}

ResourceBounds estimate_resource_bounds(RpcClient& rpc, const InvokeV3& tx) {
  return resource_bounds_of(rpc.call("starknet_estimateFee", estimate_fee_params(tx)));
}

ResourceBounds resource_bounds_of(const nlohmann::json& res) {
  if (!res.is_array() || res.size() != 1 || !res[0].is_object()) throw NetworkError("starknet_estimateFee: expected one fee estimate");
  const auto& e = res[0];
  auto bound = [&](const char* amount, const char* price) {
    return ResourceBound{with_margin(hex_field(e, amount)), with_margin(hex_field(e, price))};
  };
  return {bound("l1_gas_consumed", "l1_gas_price"), bound("l2_gas_consumed", "l2_gas_price"),
          bound("l1_data_gas_consumed", "l1_data_gas_price")};
}

ReceiptOutcome wait_for_receipt(RpcClient& rpc, const Felt& tx_hash, double timeout, double first_poll) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(timeout);
  double interval = first_poll;
  ojson params;
  params["transaction_hash"] = tx_hash.hex();
  for (;;) {
    const double left = std::chrono::duration<double>(deadline - clock::now()).count();
    if (left <= 0) return {};
    rpc.set_request_timeout(std::max(0.5, std::min(30.0, left)));
    try {
      return receipt_outcome(rpc.call("starknet_getTransactionReceipt", params));
    } catch (const NodeError& e) {
      if (e.code != kTxnHashNotFound) throw;
    } catch (const NetworkError&) {
      if (clock::now() >= deadline) return {};
      throw;
    }
    const double nap = std::min(interval, std::chrono::duration<double>(deadline - clock::now()).count());
    if (nap > 0) std::this_thread::sleep_for(std::chrono::duration<double>(nap));
    interval = std::min(interval * 1.5, 5.0);
  }
}

ReceiptOutcome receipt_outcome(const nlohmann::json& r) {
  if (!r.is_object()) throw NetworkError("starknet_getTransactionReceipt: result is not an object");
  ReceiptOutcome out;
  out.receipt = r;
  out.finality_status = receipt_string(r, "finality_status", "");
  const std::string exec = receipt_string(r, "execution_status", "");
  if (exec == "REVERTED") {
    out.status = ReceiptOutcome::Reverted;
    out.revert_reason = receipt_string(r, "revert_reason", "(no reason given)");
    return out;
  }
  if (exec == "SUCCEEDED") {
    out.status = ReceiptOutcome::Succeeded;
    return out;
  }
  throw NetworkError("receipt with unknown execution_status '" + exec + "'");
}

}  // namespace zkm31::starknet
