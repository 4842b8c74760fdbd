/**
 * The CNN every framework trains (channels-last 28×28×1 digits): conv 3×3 16 relu → max pool 2 →
 * conv 3×3 32 relu → max pool 2 → flatten (800) → dense 64 relu → dense 10 softmax; Glorot-uniform
 * kernels, zero biases, Adam (1e-3, β 0.9/0.999, ε 1e-7), categorical cross-entropy, batch 64, shuffled.
 * No dropout, so the three frameworks do the same arithmetic. `--quick` trains on 2,000 samples.
 */
export const CNN = { filters: [16, 32], dense: 64, batch: 64, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const
/** Training samples: all 8,000 of the split, or 2,000 with --quick. */
export const trainSize = (quick: boolean): number => (quick ? 2000 : 8000)
/** tfjs-cpu trains one epoch of at most this many batches (a full run would take many minutes)… */
export const BOUNDED_BATCHES = 16
/** …and stops after the first batch past this many seconds of training, once 4 batches are done. */
export const BOUNDED_TRAIN_S = 90
/** The predict-throughput measurement: the first 1,000 test digits, in batches of 500. */
export const PREDICT_BATCH = 500
export const PREDICT_SAMPLES = 1000

/** Samples/s over the batches after the first two, from the batch-end times (ms); null if too few. */
export const timedBatchesPerS = (batchEnds: ReadonlyArray<number>, batch: number): number | null => {
  if (batchEnds.length < 4) return null
  const dt = (batchEnds[batchEnds.length - 1] - batchEnds[1]) / 1000
  return Math.round(((batchEnds.length - 2) * batch) / dt)
}

/** Predict throughput: one warm-up pass over `n` samples, then the better samples/s of two timed passes. */
export const predictPerS = async (n: number, pass: () => Promise<void>): Promise<number> => {
  await pass()
  const rates: number[] = []
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now()
    await pass()
    rates.push(n / ((performance.now() - t0) / 1000))
  }
  return Math.round(Math.max(...rates))
}
