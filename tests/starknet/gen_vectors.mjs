// Generates vectors.json: test vectors computed by starknet.js (npm `starknet`, pinned 10.8.0 in
// package.json) for lib/starknet and tools/submit. `make test` reads the committed JSON; regenerate with
//   cd tests/starknet && npm ci && node gen_vectors.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Account, RpcProvider, CallData, constants, ec, hash, shortString, byteArray, uint256, num,
  transaction, selector,
} from 'starknet';

const here = path.dirname(fileURLToPath(import.meta.url));
const hex = (v) => num.toHex(v);
const P = 2n ** 251n + 17n * 2n ** 192n + 1n;
const N = BigInt(ec.starkCurve.CURVE.n);

// Deterministic pseudo-random felts (xorshift over BigInt), so regeneration gives the same file.
let seed = 0x2545f4914f6cdd1dn;
function rnd64() {
  seed ^= (seed << 13n) & 0xffffffffffffffffn;
  seed ^= seed >> 7n;
  seed ^= (seed << 17n) & 0xffffffffffffffffn;
  return seed;
}
function rndBelow(m) {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 64n) | rnd64();
  return v % m;
}

const out = { generator: 'tests/starknet/gen_vectors.mjs', starknet_js: '10.8.0' };

// --- Pedersen constant points: @scure/starknet (bundled with starknet.js) keeps them in a private
// constant (PEDERSEN_POINTS) that it does not export; read them from its installed source.
{
  const src = fs.readFileSync(path.join(here, 'node_modules/@scure/starknet/lib/index.js'), 'utf8');
  const block = src.slice(src.indexOf('const PEDERSEN_POINTS = ['), src.indexOf('];', src.indexOf('const PEDERSEN_POINTS = [')));
  const pts = [...block.matchAll(/new ProjectivePoint\((\d+)n, (\d+)n, 1n\)/g)].map((m) => ({ x: hex(BigInt(m[1])), y: hex(BigInt(m[2])) }));
  if (pts.length !== 5) throw new Error('could not read PEDERSEN_POINTS');
  for (const p of pts) new ec.starkCurve.ProjectivePoint(BigInt(p.x), BigInt(p.y), 1n).assertValidity();
  out.pedersen_points = { source: 'node_modules/@scure/starknet/lib/index.js PEDERSEN_POINTS (shift point, P0..P3)', points: pts };
}

// --- Poseidon
const edge = [0n, 1n, 2n, P - 1n, P - 2n, 2n ** 250n, 2n ** 128n - 1n];
out.poseidon_pair = [];
for (let i = 0; i < 12; i++) {
  const x = i < edge.length ? edge[i] : rndBelow(P);
  const y = i < edge.length ? edge[(i + 3) % edge.length] : rndBelow(P);
  out.poseidon_pair.push({ x: hex(x), y: hex(y), hash: hex(ec.starkCurve.poseidonHash(x, y)) });
}
out.poseidon_single = [0n, 1n, P - 1n, rndBelow(P)].map((x) => ({ x: hex(x), hash: hex(ec.starkCurve.poseidonHashSingle(x)) }));
out.poseidon_many = [];
for (const len of [0, 1, 2, 3, 4, 5, 10, 33]) {
  const v = Array.from({ length: len }, (_, i) => (i % 5 === 4 ? P - 1n : rndBelow(P)));
  out.poseidon_many.push({ input: v.map(hex), hash: hex(hash.computePoseidonHashOnElements(v)) });
}

// --- Pedersen
out.pedersen_pair = [];
for (let i = 0; i < 10; i++) {
  const x = i < edge.length ? edge[i] : rndBelow(P);
  const y = i < edge.length ? edge[(i + 2) % edge.length] : rndBelow(P);
  out.pedersen_pair.push({ x: hex(x), y: hex(y), hash: hex(BigInt(hash.computePedersenHash(x, y))) });
}
out.pedersen_on_elements = [];
for (const len of [0, 1, 2, 3, 7]) {
  const v = Array.from({ length: len }, () => rndBelow(P));
  out.pedersen_on_elements.push({ input: v.map(hex), hash: hex(BigInt(hash.computeHashOnElements(v))) });
}

// --- sn_keccak selectors
const names = ['__execute__', '__validate__', 'transfer', 'verify_proof', 'submit_proof', '', 'a',
  'x'.repeat(135), 'y'.repeat(136), 'z'.repeat(137), 'héllo wörld'];
out.selectors = names.map((n) => ({ name: n, selector: hex(BigInt(hash.getSelectorFromName(n))) }));

// --- Cairo short strings
const shorts = ['', 'a', 'hello', 'invoke', 'L1_GAS', 'L1_DATA', 'SN_SEPOLIA', 'SN_MAIN', 'x'.repeat(31)];
out.short_strings = shorts.map((s) => ({ text: s, felt: s === '' ? '0x0' : shortString.encodeShortString(s) }));
out.short_strings_too_long = ['x'.repeat(32)];

// --- ByteArray (serialized as the Cairo calldata: data_len, data…, pending_word, pending_word_len)
const texts = ['', 'a', 'hello world', 'x'.repeat(30), 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(62), 'z'.repeat(70),
  'Zero-knowledge ML over M31, serialized for Starknet.'];
out.byte_arrays = texts.map((t) => ({ text: t, calldata: CallData.compile(byteArray.byteArrayFromString(t)).map((v) => hex(BigInt(v))) }));

// --- u256
const u256s = [0n, 1n, 2n ** 128n - 1n, 2n ** 128n, 2n ** 256n - 1n, rndBelow(2n ** 256n)];
out.u256 = u256s.map((v) => { const u = uint256.bnToUint256(v); return { value: hex(v), low: hex(BigInt(u.low)), high: hex(BigInt(u.high)) }; });

// --- ECDSA: public keys and deterministic (RFC 6979) signatures
out.ecdsa = [];
const keys = [1n, 2n, 0x1234567890abcdefn, N - 1n, rndBelow(N), rndBelow(N), rndBelow(N)];
const msgs = [0n, 1n, 2n ** 250n + 12345n, rndBelow(2n ** 251n), rndBelow(2n ** 240n), 0xabcn];
keys.forEach((k, i) => {
  const pk = hex(k);
  const full = ec.starkCurve.getPublicKey(pk.slice(2).padStart(64, '0'), false);
  const pub = { x: hex(BigInt('0x' + Buffer.from(full.slice(1, 33)).toString('hex'))), y: hex(BigInt('0x' + Buffer.from(full.slice(33)).toString('hex'))) };
  const stark = ec.starkCurve.getStarkKey(pk);
  for (let j = 0; j < 2; j++) {
    const m = msgs[(i + j * 3) % msgs.length];
    const sig = ec.starkCurve.sign(hex(m), pk.slice(2).padStart(64, '0'));
    const ok = ec.starkCurve.verify(sig, hex(m), full);
    const bad = ec.starkCurve.verify(sig, hex(m + 1n), full);
    out.ecdsa.push({ private_key: pk, public_key: pub, stark_key: hex(BigInt(stark)), msg_hash: hex(m), r: hex(sig.r), s: hex(sig.s), verifies: ok, verifies_other_msg: bad });
  }
});

// --- account __execute__ calldata (Cairo 1 multicall)
const calls = [
  { contractAddress: '0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7', entrypoint: 'transfer', calldata: ['0x123', '0x64', '0x0'] },
  { contractAddress: '0x7e5', entrypoint: 'verify_proof', calldata: [] },
];
out.execute_calldata = [
  { calls: [calls[0]].map((c) => ({ ...c })), calldata: transaction.getExecuteCalldata([calls[0]], '1').map((v) => hex(BigInt(v))) },
  { calls, calldata: transaction.getExecuteCalldata(calls, '1').map((v) => hex(BigInt(v))) },
];

// --- INVOKE v3 transaction hashes
const bounds = (a) => ({
  l1_gas: { max_amount: BigInt(a[0]), max_price_per_unit: BigInt(a[1]) },
  l2_gas: { max_amount: BigInt(a[2]), max_price_per_unit: BigInt(a[3]) },
  l1_data_gas: { max_amount: BigInt(a[4]), max_price_per_unit: BigInt(a[5]) },
});
const boundsHex = (b) => ({
  l1_gas: { max_amount: hex(b.l1_gas.max_amount), max_price_per_unit: hex(b.l1_gas.max_price_per_unit) },
  l2_gas: { max_amount: hex(b.l2_gas.max_amount), max_price_per_unit: hex(b.l2_gas.max_price_per_unit) },
  l1_data_gas: { max_amount: hex(b.l1_data_gas.max_amount), max_price_per_unit: hex(b.l1_data_gas.max_price_per_unit) },
});
const chains = { SN_SEPOLIA: constants.StarknetChainId.SN_SEPOLIA, SN_MAIN: constants.StarknetChainId.SN_MAIN };
const invokeCases = [
  { sender: '0x1', nonce: 0n, tip: 0n, b: [0, 0, 0, 0, 0, 0], pm: [], ad: [], nda: 0, fda: 0, cd: [] },
  { sender: '0x4a3f', nonce: 7n, tip: 1000n, b: [0x100, 0x2f, 0x2000000, 0x5f5e100, 0x80, 0x3], pm: [], ad: [], nda: 0, fda: 0, cd: transaction.getExecuteCalldata(calls, '1') },
  { sender: hex(rndBelow(P)), nonce: 123456n, tip: 5n, b: ['0xffffffffffffffff', '0xffffffffffffffffffffffffffffffff', 1, 2, 3, 4], pm: [1n, 2n], ad: [3n], nda: 1, fda: 1, cd: [rndBelow(P), rndBelow(P)] },
  { sender: '0x2', nonce: 1n, tip: 0n, b: [1, 1, 1, 1, 1, 1], pm: [], ad: [], nda: 1, fda: 0, cd: [5n] },
];
out.invoke_v3 = [];
for (const [name, chainId] of Object.entries(chains)) {
  for (const c of invokeCases) {
    const b = bounds(c.b);
    for (const version of ['0x3', '0x100000000000000000000000000000003']) {
      const h = hash.calculateInvokeTransactionHash({
        senderAddress: c.sender, version, compiledCalldata: c.cd, chainId, nonce: c.nonce,
        accountDeploymentData: c.ad, nonceDataAvailabilityMode: c.nda, feeDataAvailabilityMode: c.fda,
        resourceBounds: b, tip: c.tip, paymasterData: c.pm,
      });
      out.invoke_v3.push({
        chain: name, chain_id: chainId, sender_address: hex(BigInt(c.sender)), version, nonce: hex(c.nonce), tip: hex(c.tip),
        resource_bounds: boundsHex(b), paymaster_data: c.pm.map(hex), account_deployment_data: c.ad.map(hex),
        nonce_data_availability_mode: c.nda ? 'L2' : 'L1', fee_data_availability_mode: c.fda ? 'L2' : 'L1',
        calldata: c.cd.map((v) => hex(BigInt(v))), hash: hex(BigInt(h)),
      });
    }
  }
}

// --- The JSON-RPC request bodies starknet.js sends (Account.execute over RpcProvider), captured by a
// fake fetch that answers like a node. Two flows: explicit nonce/bounds, and nonce + fee estimation.
async function capture(details, answers) {
  const bodies = [];
  const baseFetch = async (_url, init) => {
    const req = JSON.parse(init.body);
    bodies.push({ method: req.method, body: init.body });
    const result = answers[req.method];
    if (result === undefined) throw new Error('unexpected method ' + req.method);
    return new Response(JSON.stringify({ jsonrpc: '2.0', id: req.id, result }), { headers: { 'content-type': 'application/json' } });
  };
  const provider = new RpcProvider({ nodeUrl: 'http://127.0.0.1:1/rpc', baseFetch, specVersion: '0.9.0', chainId: constants.StarknetChainId.SN_SEPOLIA });
  const privateKey = '0x' + (0x5a17n * 1000003n).toString(16);
  const account = new Account({ provider, address: '0x' + (0xacc0n).toString(16), signer: privateKey, cairoVersion: '1' });
  const call = { contractAddress: '0x7e5', entrypoint: 'verify_proof', calldata: ['0x1', '0x2', '0x3'] };
  const res = await account.execute([call], details);
  return { private_key: privateKey, account: account.address, contract: call.contractAddress, function: call.entrypoint, calldata: call.calldata, chain_id: constants.StarknetChainId.SN_SEPOLIA, transaction_hash: res.transaction_hash, requests: bodies };
}
const txHash = '0x' + 'ab'.repeat(31);
out.rpc_explicit = await capture(
  { nonce: 5, tip: 0, resourceBounds: bounds([0, '0x3b9aca00', '0x100000', '0x2540be400', '0x200', '0x5f5e100']) },
  { starknet_addInvokeTransaction: { transaction_hash: txHash } });
out.rpc_explicit.resource_bounds = boundsHex(bounds([0, '0x3b9aca00', '0x100000', '0x2540be400', '0x200', '0x5f5e100']));
out.rpc_estimated = await capture(
  { tip: 0 },
  {
    starknet_getNonce: '0x9',
    starknet_estimateFee: [{ l1_gas_consumed: '0x0', l1_gas_price: '0x3b9aca00', l2_gas_consumed: '0x6f1a0', l2_gas_price: '0x2540be400', l1_data_gas_consumed: '0x180', l1_data_gas_price: '0x5f5e100', overall_fee: '0x1', unit: 'FRI' }],
    starknet_addInvokeTransaction: { transaction_hash: txHash },
  });
out.rpc_estimated.fee_estimate = { l1_gas_consumed: '0x0', l1_gas_price: '0x3b9aca00', l2_gas_consumed: '0x6f1a0', l2_gas_price: '0x2540be400', l1_data_gas_consumed: '0x180', l1_data_gas_price: '0x5f5e100' };

fs.writeFileSync(path.join(here, 'vectors.json'), JSON.stringify(out, null, 1) + '\n');
console.log('wrote vectors.json');
