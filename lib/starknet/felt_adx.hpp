#pragma once
// Felt Montgomery product and square with BMI2/ADX (mulx, adcx, adox) in inline assembly, tuned for
// latency: Poseidon is one long chain of dependent multiplications. Only called when the CPU has
// BMI2 and ADX (see felt_arithmetic() in felt.hpp); the assembler needs no compiler flags for them.
//
// Both return a lazily reduced representative (not canonical):
//   mul(a, b) ≡ a·b·2^−256 and below a·b/2^256 + P;   sqr(a) ≡ a²·2^−256 and below a²/2^256 + 2P,
// for inputs below 2^255.
//
// Reduction (P = 1 + c·2^192, c = 2^59 + 17, P⁻¹ ≡ 1 − c·2^192 mod 2^256): for the 512-bit product t,
// q = t_lo·P⁻¹ mod 2^256 = t_lo − k·2^192 with k = t0·c mod 2^64, so q = (t0, t1, t2, t3 − k) needs
// no negation, and (t − q·P)/2^256 = t_hi − w − ⌊q·c/2^64⌋ exactly (w = borrow of t3 − k; the low
// limb of q·c is k, so nothing carries out of it). That lies in (−P, t/2^256), so adding P makes it
// non-negative; the +1 of P is folded into the product as +2^256 (a free carry-in) and c into the
// top limb of the subtrahend. The square folds +2^256 into the cross products before they are
// doubled, hence 2P. The +2^256 cannot overflow its limb: it lands on hi(x0·y3) + carry ≤ y3.
#include <cstdint>

namespace zkm31::starknet::detail::adx {

#define ZKM31_FELT_C "$0x0800000000000011"

// Clang's sanitizers and fuzzing coverage would take registers that the 13 named operands below need;
// the assembly touches nothing but its operands, so leaving it uninstrumented loses no check.
#if defined(__clang__)
#define ZKM31_FELT_ASM __attribute__((no_sanitize("address", "undefined", "coverage")))
#else
#define ZKM31_FELT_ASM
#endif

// Row i of the schoolbook product: t[i..i+4] += a_i · b, lows on the OF chain, highs on the CF chain.
// CF, OF and z must be 0 on entry; both chains end by absorbing their carries into T4, which cannot
// overflow, so they leave CF = OF = 0.
#define ZKM31_MUL_ROW(A, T0, T1, T2, T3, T4)                                            \
  "mov %[" A "], %%rdx\n\t"                                                            \
  "mulx %[b0], %[lo], %[hi]\n\t"                                                       \
  "adox %[lo], %[" T0 "]\n\t"                                                          \
  "adcx %[hi], %[" T1 "]\n\t"                                                          \
  "mulx %[b1], %[lo], %[hi]\n\t"                                                       \
  "adox %[lo], %[" T1 "]\n\t"                                                          \
  "adcx %[hi], %[" T2 "]\n\t"                                                          \
  "mulx %[b2], %[lo], %[hi]\n\t"                                                       \
  "adox %[lo], %[" T2 "]\n\t"                                                          \
  "adcx %[hi], %[" T3 "]\n\t"                                                          \
  "mulx %[b3], %[lo], %[" T4 "]\n\t"                                                   \
  "adox %[lo], %[" T3 "]\n\t"                                                          \
  "adcx %[z], %[" T4 "]\n\t"                                                           \
  "adox %[z], %[" T4 "]\n\t"

ZKM31_FELT_ASM inline void mul(const uint64_t a[4], const uint64_t b[4], uint64_t r[4]) {
  // a's limbs live in t0, t5, t6, t7 until their row; the words q_i·c of the reduction are formed
  // as soon as t_i is final, between the rows, so only q3·c trails the product.
  uint64_t t0 = a[0], t5 = a[1], t6 = a[2], t7 = a[3];
  uint64_t t1, t2, t3, t4, lo, hi, z, d0, d1;
  asm("mov %[t0], %%rdx\n\t"
      "mulx %[b0], %[t0], %[t1]\n\t"
      "mulx %[b1], %[lo], %[t2]\n\t"
      "add %[lo], %[t1]\n\t"
      "mulx %[b2], %[lo], %[t3]\n\t"
      "adc %[lo], %[t2]\n\t"
      "mulx %[b3], %[lo], %[t4]\n\t"
      "adc %[lo], %[t3]\n\t"
      "adc $1, %[t4]\n\t"                       // + 2^256: the 1 of P
      "movabs " ZKM31_FELT_C ", %%rdx\n\t"
      "mulx %[t0], %[t0], %[d0]\n\t"            // k = lo(t0·c), d0 = hi(t0·c)
      "xor %k[z], %k[z]\n\t"
      ZKM31_MUL_ROW("t5", "t1", "t2", "t3", "t4", "t5")
      "movabs " ZKM31_FELT_C ", %%rdx\n\t"
      "mulx %[t1], %[t1], %[d1]\n\t"            // t1·c
      "add %[t1], %[d0]\n\t"
      "adc $0, %[d1]\n\t"                      // d1 < 2^60: leaves CF = OF = 0
      ZKM31_MUL_ROW("t6", "t2", "t3", "t4", "t5", "t6")
      "movabs " ZKM31_FELT_C ", %%rdx\n\t"
      "mulx %[t2], %[t2], %[t1]\n\t"            // t2·c
      "add %[t2], %[d1]\n\t"
      "adc $0, %[t1]\n\t"                      // as above
      ZKM31_MUL_ROW("t7", "t3", "t4", "t5", "t6", "t7")
      "movabs " ZKM31_FELT_C ", %%rdx\n\t"
      "mov %[t3], %[t2]\n\t"
      "sub %[t0], %[t2]\n\t"                    // q3 = t3 − k
      "mulx %[t2], %[t2], %[lo]\n\t"            // q3·c
      "add %[t2], %[t1]\n\t"
      "adc $0, %[lo]\n\t"
      "sub %%rdx, %[lo]\n\t"                    // − c: the c·2^192 of P
      "cmp %[t0], %[t3]\n\t"                    // CF = w
      "sbb %[d0], %[t4]\n\t"
      "sbb %[d1], %[t5]\n\t"
      "sbb %[t1], %[t6]\n\t"
      "sbb %[lo], %[t7]\n\t"
      : [t0] "+&r"(t0), [t5] "+&r"(t5), [t6] "+&r"(t6), [t7] "+&r"(t7), [t1] "=&r"(t1), [t2] "=&r"(t2),
        [t3] "=&r"(t3), [t4] "=&r"(t4), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z), [d0] "=&r"(d0),
        [d1] "=&r"(d1)
      : [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3])
      : "rdx", "cc");
  r[0] = t4, r[1] = t5, r[2] = t6, r[3] = t7;
}

ZKM31_FELT_ASM inline void sqr(const uint64_t a[4], uint64_t r[4]) {
  // 6 cross products, doubled on the CF chain while the 4 squares go in on the OF chain.
  uint64_t t0 = a[0], a1 = a[1], a2 = a[2], t7 = a[3];
  uint64_t t1, t2, t3, t4, t5, t6, lo, hi, z;
  asm("mov %[t0], %%rdx\n\t"
      "mulx %[a1], %[t1], %[t2]\n\t"            // a0·a1
      "mulx %[a2], %[lo], %[t3]\n\t"            // a0·a2
      "add %[lo], %[t2]\n\t"
      "mulx %[t7], %[lo], %[t4]\n\t"            // a0·a3
      "adc %[lo], %[t3]\n\t"
      "adc $1, %[t4]\n\t"                       // + 2^256, doubled below: the 2 of 2P
      "mov %[a1], %%rdx\n\t"
      "xor %k[z], %k[z]\n\t"
      "mulx %[a2], %[lo], %[hi]\n\t"            // a1·a2
      "adox %[lo], %[t3]\n\t"
      "adcx %[hi], %[t4]\n\t"
      "mulx %[t7], %[lo], %[t5]\n\t"            // a1·a3
      "adox %[lo], %[t4]\n\t"
      "adcx %[z], %[t5]\n\t"
      "adox %[z], %[t5]\n\t"
      "mov %[a2], %%rdx\n\t"
      "mulx %[t7], %[lo], %[t6]\n\t"            // a2·a3
      "add %[lo], %[t5]\n\t"
      "adc $0, %[t6]\n\t"
      "xor %k[z], %k[z]\n\t"
      "mov %[t0], %%rdx\n\t"
      "mulx %%rdx, %[t0], %[hi]\n\t"            // a0²
      "adcx %[t1], %[t1]\n\t"
      "adox %[hi], %[t1]\n\t"
      "mov %[a1], %%rdx\n\t"
      "mulx %%rdx, %[lo], %[hi]\n\t"            // a1²
      "adcx %[t2], %[t2]\n\t"
      "adox %[lo], %[t2]\n\t"
      "adcx %[t3], %[t3]\n\t"
      "adox %[hi], %[t3]\n\t"
      "mov %[a2], %%rdx\n\t"
      "mulx %%rdx, %[lo], %[hi]\n\t"            // a2²
      "adcx %[t4], %[t4]\n\t"
      "adox %[lo], %[t4]\n\t"
      "adcx %[t5], %[t5]\n\t"
      "adox %[hi], %[t5]\n\t"
      "mov %[t7], %%rdx\n\t"
      "mulx %%rdx, %[lo], %[t7]\n\t"            // a3²
      "adcx %[t6], %[t6]\n\t"
      "adox %[lo], %[t6]\n\t"
      "adcx %[z], %[t7]\n\t"
      "adox %[z], %[t7]\n\t"
      // reduction, as in mul: D = ⌊q·c/2^64⌋ + w, then t_hi − D + 2·c·2^192
      "movabs " ZKM31_FELT_C ", %%rdx\n\t"
      "mulx %[t0], %[lo], %[hi]\n\t"            // k, hi(t0·c)
      "sub %[lo], %[t3]\n\t"                    // q3 = t3 − k, CF = w
      "mulx %[t3], %[t3], %[t0]\n\t"
      "mulx %[t2], %[t2], %[lo]\n\t"
      "mulx %[t1], %[t1], %[z]\n\t"
      "adc %[t1], %[hi]\n\t"
      "adc %[t2], %[z]\n\t"
      "adc %[t3], %[lo]\n\t"
      "adc $0, %[t0]\n\t"
      "sub %%rdx, %[t0]\n\t"
      "sub %%rdx, %[t0]\n\t"
      "sub %[hi], %[t4]\n\t"
      "sbb %[z], %[t5]\n\t"
      "sbb %[lo], %[t6]\n\t"
      "sbb %[t0], %[t7]\n\t"
      : [t0] "+&r"(t0), [a1] "+&r"(a1), [a2] "+&r"(a2), [t7] "+&r"(t7), [t1] "=&r"(t1), [t2] "=&r"(t2),
        [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5), [t6] "=&r"(t6), [lo] "=&r"(lo), [hi] "=&r"(hi),
        [z] "=&r"(z)
      :
      : "rdx", "cc");
  r[0] = t4, r[1] = t5, r[2] = t6, r[3] = t7;
}

#undef ZKM31_MUL_ROW
#undef ZKM31_FELT_C

}  // namespace zkm31::starknet::detail::adx
