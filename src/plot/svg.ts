/**
 * @internal Shared pieces of the SVG plots: escaping, clean tick values (1, 2 or 5 × 10^k) and their
 * labels (as many decimals as the step needs, no float noise).
 *
 * @since 0.1.0
 */

export const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The tick step for about `count` ticks over [lo, hi]: 1, 2 or 5 times a power of ten. */
export const tickStep = (lo: number, hi: number, count = 5): number => {
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * mag
}

/** Tick values in [lo, hi]: multiples of a 1/2/5 × 10^k step. */
export const ticks = (lo: number, hi: number, count = 5): number[] => {
  if (!(hi > lo)) return [lo]
  const step = tickStep(lo, hi, count)
  const out: number[] = []
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)))
  return out
}

/** A tick label with the decimals the step needs: step 0.05 → '0.15', step 20 → '140', step 2e-5 → '4e-5'. */
export const tickLabel = (v: number, step: number): string => {
  if (v === 0) return '0'
  if (Math.abs(step) < 1e-4 || Math.abs(v) >= 1e6) {
    const digits = Math.max(0, Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(step)))
    return v.toExponential(Math.min(digits, 6)).replace(/e\+?/, 'e')
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
  return v.toFixed(decimals)
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']
