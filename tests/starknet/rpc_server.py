#!/usr/bin/python3
"""A local Starknet JSON-RPC stand-in for the `submit` end-to-end tests (standard library only).

Listens on 127.0.0.1 on a free port, writes the port to --port-file, appends every request body to
--log (one per line) and exits by itself after --lifetime seconds. --scenario picks the behaviour:
  success      receipts: "not found" for the first --pending polls, then SUCCEEDED
  reverted     the receipt says REVERTED with a revert reason
  timeout      the receipt is never found
  node-error   starknet_addInvokeTransaction answers a JSON-RPC error (code 55)
  http-error   every request gets HTTP 503 with a plain-text body
"""
import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FEE_ESTIMATE = {  # the estimate tests/starknet/gen_vectors.mjs gave starknet.js
    "l1_gas_consumed": "0x0", "l1_gas_price": "0x3b9aca00", "l2_gas_consumed": "0x6f1a0",
    "l2_gas_price": "0x2540be400", "l1_data_gas_consumed": "0x180", "l1_data_gas_price": "0x5f5e100",
    "overall_fee": "0x1", "unit": "FRI",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True, choices=["success", "reverted", "timeout", "node-error", "http-error"])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=30)
    ap.add_argument("--pending", type=int, default=2)
    ap.add_argument("--tx-hash", default="0x" + "ab" * 31)
    ap.add_argument("--chain-id", default="0x534e5f5345504f4c4941")  # SN_SEPOLIA
    ap.add_argument("--nonce", default="0x9")
    args = ap.parse_args()
    polls = {"n": 0}
    lock = threading.Lock()

    def answer(method, params):
        if method == "starknet_chainId":
            return {"result": args.chain_id}
        if method == "starknet_getNonce":
            return {"result": args.nonce}
        if method == "starknet_estimateFee":
            return {"result": [FEE_ESTIMATE]}
        if method == "starknet_addInvokeTransaction":
            if args.scenario == "node-error":
                return {"error": {"code": 55, "message": "Account validation failed", "data": "invalid signature"}}
            return {"result": {"transaction_hash": args.tx_hash}}
        if method == "starknet_getTransactionReceipt":
            with lock:
                polls["n"] += 1
                n = polls["n"]
            if args.scenario == "timeout" or n <= args.pending:
                return {"error": {"code": 29, "message": "Transaction hash not found"}}
            receipt = {"type": "INVOKE", "transaction_hash": params["transaction_hash"], "finality_status": "ACCEPTED_ON_L2",
                       "actual_fee": {"amount": "0x1", "unit": "FRI"}, "messages_sent": [], "events": [],
                       "block_number": 7, "block_hash": "0x7"}
            if args.scenario == "reverted":
                receipt.update(execution_status="REVERTED", revert_reason="Error in the called contract: assertion failed: 'bad proof'")
            else:
                receipt.update(execution_status="SUCCEEDED")
            return {"result": receipt}
        return {"error": {"code": -32601, "message": "Method not found"}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            with lock, open(args.log, "a") as f:
                f.write(body + "\n")
            if args.scenario == "http-error":
                out, status, ctype = b"service unavailable", 503, "text/plain"
            else:
                req = json.loads(body)
                reply = {"jsonrpc": "2.0", "id": req.get("id")}
                reply.update(answer(req.get("method"), req.get("params")))
                out, status, ctype = json.dumps(reply).encode(), 200, "application/json"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever(poll_interval=0.1)
    server.server_close()


if __name__ == "__main__":
    main()
