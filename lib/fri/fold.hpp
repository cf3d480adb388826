#pragma once
// The circle-FRI folds shared by the Basefold PCS (lib/pcs) and FRI, on codewords in NATURAL order
// over the canonic domain (circle/circle.hpp). No division by 2 (reference/basefold/NOTES.md §1):
//   circle fold of f on D_m (size 2^m, h = 2^{m−1}):
//     g[j] = (f[j] + f[j+h]) + s·(f[j] − f[j+h]) · y(D_m[j])⁻¹          j < h
//   line fold of g on a line layer of size 2^k (pair (j, j+h) sits at ±x_j, x_j = circle::xs(k+1)[j]):
//     g'[j] = (g[j] + g[j+h]) + s·(g[j] − g[j+h]) · x_j⁻¹                  j < h = 2^{k−1}
// Twiddle rule: divide by the coordinate of the pair's FIRST element (index j < h).
// With the codeword of a message c, layer i equals 2^i·Enc_i(c^{(i)}), c^{(i)} the message folded
// i times: c'[b] = c[2b] + s·c[2b+1] (so after binding all n variables the constant is 2^n·MLE(s)).
#include <span>
#include <vector>

#include "field/field.hpp"

namespace zkm31::fri {

std::vector<QM31> fold_circle(std::span<const M31> f, QM31 s);
std::vector<QM31> fold_circle(std::span<const QM31> f, QM31 s);
std::vector<QM31> fold_line(std::span<const QM31> g, QM31 s);

// One pair: (a + b) + s·(a − b)·inv_twiddle.
inline QM31 fold_pair(QM31 a, QM31 b, QM31 s, M31 inv_twiddle) { return (a + b) + s * ((a - b) * inv_twiddle); }

// The twiddle of pair `pos` when folding layer `layer` of a codeword whose layer 0 has 2^log_domain
// points: y(D_m[pos]) for layer 0, x(D_{m−layer+1}[pos]) after (pos < half the layer's size).
M31 twiddle(unsigned log_domain, unsigned layer, size_t pos);

// k folds at once of one row of a layer stored as coset rows (the Merkle rows of lib/pcs): row j of
// width 2^k holds the positions {j + t·2^log_rows : t < 2^k} of layer `first_layer` of a codeword on
// D_{log_domain}; folding with challenges[0..k) merges them into position j of layer first_layer + k.
// Folds the row in place and returns that value (the verifier's query check).
QM31 fold_row(std::span<QM31> row, size_t j, unsigned log_rows, unsigned log_domain, unsigned first_layer,
              std::span<const QM31> challenges);

}  // namespace zkm31::fri
