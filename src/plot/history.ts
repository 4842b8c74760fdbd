/**
 * Pictures for notebooks: a training history as a self-contained SVG line chart (no DOM, no
 * dependency). Show it with `tslab.display.svg(svg)` in tslab, `Deno.jupyter.svg` in Deno, or write it
 * to a file.
 *
 * @since 0.1.0
 */
import { fail, show } from '../core/errors.js'
import { escape, PALETTE, ticks, tickLabel, tickStep } from './svg.js'

/** What {@link plotHistory} draws. */
export interface PlotOptions {
  /** which series (default: every key of `history`) */
  readonly keys?: ReadonlyArray<string>
  readonly width?: number
  readonly height?: number
  readonly title?: string
  /** log scale for the y axis (positive values only) */
  readonly logY?: boolean
  /** the y-axis label (default: 'loss' when every series is a loss, the key when there is one, else 'value') */
  readonly yLabel?: string
  /** the x-axis label (default 'epoch') */
  readonly xLabel?: string
}

/**
 * An SVG line chart of a `History` (or any record of number series), one line per key, epochs on x.
 * @example const svg = plotHistory(history, { keys: ['loss', 'val_loss'] })
 */
export const plotHistory = (history: { readonly history: Readonly<Record<string, ReadonlyArray<number>>>; readonly epoch?: ReadonlyArray<number> } | Readonly<Record<string, ReadonlyArray<number>>>, opts: PlotOptions = {}): string => {
  const series: Readonly<Record<string, ReadonlyArray<number>>> =
    'history' in history && typeof history.history === 'object' && !Array.isArray(history.history) ? (history.history as Record<string, ReadonlyArray<number>>) : (history as Record<string, ReadonlyArray<number>>)
  const keys = opts.keys ?? Object.keys(series)
  for (const k of keys)
    if (!Array.isArray(series[k]) || !series[k].every((v) => typeof v === 'number'))
      fail('InvalidData', `plotHistory: expected a list of numbers at history.${k}, received ${show(series[k])}`, { path: `history.${k}`, expected: 'number[]', received: series[k] })
  const W = opts.width ?? 640
  const H = opts.height ?? 320
  const m = { l: 72, r: 140, t: opts.title ? 32 : 16, b: 40 }
  const tf = (v: number): number => (opts.logY ? Math.log10(v) : v)
  const all = keys.flatMap((k) => series[k]).filter((v) => Number.isFinite(tf(v)))
  const n = Math.max(1, ...keys.map((k) => series[k].length))
  const lo = all.length ? Math.min(...all.map(tf)) : 0
  const hi = all.length ? Math.max(...all.map(tf)) : 1
  const pad = hi === lo ? 1 : (hi - lo) * 0.05
  const y0 = lo - pad
  const y1 = hi + pad
  const px = (i: number): number => m.l + (n === 1 ? (W - m.l - m.r) / 2 : (i / (n - 1)) * (W - m.l - m.r))
  const py = (v: number): number => m.t + (1 - (tf(v) - y0) / (y1 - y0)) * (H - m.t - m.b)
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="white"/>`]
  if (opts.title) parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escape(opts.title)}</text>`)
  // y ticks: 1, 2 or 5 × 10^k (on a log axis: the powers of ten, with 2 and 5 between when the range is short)
  const yTicks: number[] = opts.logY ? logTicks(y0, y1) : ticks(y0, y1)
  const yStep = opts.logY ? 1 : tickStep(y0, y1)
  for (const t of yTicks) {
    const v = opts.logY ? t : t
    const label = opts.logY ? tickLabel(v, 10 ** Math.floor(Math.log10(v))) : tickLabel(v, yStep)
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#ddd"/>`, `<text x="${m.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${escape(label)}</text>`)
  }
  const yLabel = opts.yLabel ?? (keys.length > 0 && keys.every((k) => /loss/.test(k)) ? 'loss' : keys.length === 1 ? keys[0] : 'value')
  const midY = (m.t + H - m.b) / 2
  parts.push(`<text x="16" y="${midY}" text-anchor="middle" transform="rotate(-90 16 ${midY})" font-size="12">${escape(yLabel)}</text>`)
  for (const t of ticks(1, n, Math.min(10, n))) {
    if (!Number.isInteger(t)) continue
    parts.push(`<text x="${px(t - 1).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`)
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${escape(opts.xLabel ?? 'epoch')}</text>`, `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`)
  keys.forEach((k, j) => {
    const color = PALETTE[j % PALETTE.length]
    const pts = series[k].map((v, i) => [px(i), py(v)] as const).filter(([, y]) => Number.isFinite(y))
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`)
    for (const [x, y] of pts) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${color}"/>`)
    const ly = m.t + 8 + j * 16
    parts.push(`<line x1="${W - m.r + 10}" x2="${W - m.r + 28}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`, `<text x="${W - m.r + 32}" y="${ly + 4}">${escape(k)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

/** Ticks of a log axis over [lo, hi] (log10 units): powers of ten, with 2× and 5× when fewer than 3 decades. */
const logTicks = (lo: number, hi: number): number[] => {
  const out: number[] = []
  const mults = hi - lo < 3 ? [1, 2, 5] : [1]
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) for (const k of mults) {
    const v = k * 10 ** e
    const lv = Math.log10(v)
    if (lv >= lo - 1e-9 && lv <= hi + 1e-9) out.push(Number(v.toPrecision(12)))
  }
  return out
}
