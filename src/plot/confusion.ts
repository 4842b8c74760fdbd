/**
 * A confusion matrix, counted and drawn as an SVG heat map (scikit-learn's `ConfusionMatrixDisplay`:
 * true labels down, predicted labels across, the count in each cell).
 *
 * @since 0.1.0
 */
import { fail, show } from '../core/errors.js'
import { isTensor, bufferOf, type Tensor } from '../core/Tensor.js'
import { escape } from './svg.js'

/** What {@link plotConfusionMatrix} draws. */
export interface ConfusionPlotOptions {
  /** class names (default '0', '1', …) */
  readonly labels?: ReadonlyArray<string>
  /** divide each row by its total: the share of each true class predicted as each class */
  readonly normalize?: boolean
  readonly title?: string
  /** cell size in pixels (default 48) */
  readonly cell?: number
}

const labelsOf = (u: Tensor | ReadonlyArray<number>, what: string): number[] => {
  if (isTensor(u)) {
    const b = bufferOf(u)
    // probabilities or one-hot rows: the argmax of each row
    if (u.shape.length === 2 && u.shape[1] > 1) {
      const [n, k] = u.shape
      return Array.from({ length: n }, (_, i) => {
        let best = 0
        for (let j = 1; j < k; j++) if (b[i * k + j] > b[i * k + best]) best = j
        return best
      })
    }
    if (u.shape.length === 2 && u.shape[1] === 1) return Array.from(b, (v) => (u.dtype === 'int32' ? v : Math.round(v)))
    if (u.shape.length === 1) return Array.from(b)
    return fail('InvalidData', `confusionMatrix: ${what} must be labels [n], [n, 1] or scores [n, classes], received shape ${show(u.shape)}`, { path: what, expected: '[n] or [n, k]', received: u.shape })
  }
  if (Array.isArray(u)) return u.slice()
  return fail('InvalidData', `confusionMatrix: ${what} must be a tensor or a list of class indices, received ${show(u)}`, { path: what, expected: 'Tensor | number[]', received: u })
}

/**
 * Count `m[true][predicted]` over the samples. Labels are class indices ([n] or [n, 1]) or scores /
 * one-hot rows ([n, classes], their argmax). Every label must be an integer in [0, numClasses).
 * @example confusionMatrix([0, 1, 1], [0, 1, 0], 2) // [[1, 0], [1, 1]]
 */
export const confusionMatrix = (yTrue: Tensor | ReadonlyArray<number>, yPred: Tensor | ReadonlyArray<number>, numClasses?: number): number[][] => {
  const t = labelsOf(yTrue, 'yTrue')
  const p = labelsOf(yPred, 'yPred')
  if (t.length !== p.length) fail('InvalidData', `confusionMatrix: yTrue has ${t.length} samples, yPred ${p.length}`, { path: 'yPred', expected: t.length, received: p.length })
  const k = numClasses ?? Math.max(0, ...t, ...p) + 1
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let i = 0; i < t.length; i++) {
    for (const [v, what] of [[t[i], 'yTrue'], [p[i], 'yPred']] as const)
      if (!Number.isInteger(v) || v < 0 || v >= k)
        fail('InvalidData', `confusionMatrix: ${what}[${i}] is ${show(v)}, expected a class index in [0, ${k})`, { path: `${what}[${i}]`, expected: `an integer in [0, ${k})`, received: v })
    m[t[i]][p[i]] += 1
  }
  return m
}

/** White to dark blue. */
const shade = (x: number): string => {
  const c = (a: number, b: number) => Math.round(a + (b - a) * x)
  return `rgb(${c(247, 8)},${c(251, 48)},${c(255, 107)})`
}

/**
 * The confusion matrix as an SVG heat map: rows are true classes, columns predicted ones, each cell
 * shows its count (or row share with `normalize`).
 * @example const svg = plotConfusionMatrix(confusionMatrix(yTest, predictions), { labels: ['cat', 'dog'] })
 */
export const plotConfusionMatrix = (matrix: ReadonlyArray<ReadonlyArray<number>>, opts: ConfusionPlotOptions = {}): string => {
  const k = matrix.length
  if (k === 0 || !matrix.every((r) => Array.isArray(r) && r.length === k && r.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)))
    fail('InvalidData', `plotConfusionMatrix: expected a square matrix of non-negative counts, received ${show(matrix)}`, { path: 'matrix', expected: 'number[k][k]', received: matrix })
  const labels = opts.labels ?? Array.from({ length: k }, (_, i) => String(i))
  if (labels.length !== k) fail('InvalidOption', `plotConfusionMatrix: ${labels.length} labels for ${k} classes`, { path: 'labels', expected: k, received: labels.length })
  const values = matrix.map((r) => {
    const total = r.reduce((a, b) => a + b, 0)
    return opts.normalize === true ? r.map((v) => (total === 0 ? 0 : v / total)) : r.slice()
  })
  const max = Math.max(...values.flat(), 1e-12)
  const C = opts.cell ?? 48
  const labelW = Math.max(40, 7 * Math.max(...labels.map((l) => l.length)) + 16)
  const left = labelW + 24
  const top = opts.title ? 36 : 12
  const W = left + k * C + 16
  const H = top + k * C + labelW + 24
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`
  ]
  if (opts.title) parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escape(opts.title)}</text>`)
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const x = left + j * C
      const y = top + i * C
      const f = values[i][j] / max
      const text = opts.normalize === true ? values[i][j].toFixed(2) : String(values[i][j])
      parts.push(
        `<rect x="${x}" y="${y}" width="${C}" height="${C}" fill="${shade(f)}" stroke="#fff"/>`,
        `<text x="${x + C / 2}" y="${y + C / 2 + 4}" text-anchor="middle" fill="${f > 0.5 ? 'white' : 'black'}">${text}</text>`
      )
    }
  for (let i = 0; i < k; i++) {
    parts.push(`<text x="${left - 6}" y="${top + i * C + C / 2 + 4}" text-anchor="end">${escape(labels[i])}</text>`)
    const x = left + i * C + C / 2
    const y = top + k * C + 8
    parts.push(`<text x="${x}" y="${y}" text-anchor="end" transform="rotate(-45 ${x} ${y})">${escape(labels[i])}</text>`)
  }
  const midY = top + (k * C) / 2
  parts.push(
    `<text x="14" y="${midY}" text-anchor="middle" transform="rotate(-90 14 ${midY})">True label</text>`,
    `<text x="${left + (k * C) / 2}" y="${H - 8}" text-anchor="middle">Predicted label</text>`,
    '</svg>'
  )
  return parts.join('\n')
}
