/**
 * The CNN every framework trains (channels-last 28×28×1 digits): conv 3×3 16 relu → max pool 2 →
 * conv 3×3 32 relu → max pool 2 → flatten (800) → dense 64 relu → dense 10 softmax; Glorot-uniform
 * kernels, zero biases, Adam (1e-3, β 0.9/0.999, ε 1e-7), categorical cross-entropy, batch 64, shuffled.
 * No dropout, so the three frameworks do the same arithmetic. `--quick` trains on 2,000 samples.
 */
export const CNN = { filters: [16, 32], dense: 64, batch: 64, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const
/** Training samples: all 8,000 of the split, or 2,000 with --quick. */
export const trainSize = (quick: boolean): number => (quick ? 2000 : 8000)
