/**
 * The model as a diagram, like Keras's `plot_model`: one box per layer (`name (Type)`, and with
 * `showShapes` its input and output shapes), arrows along the connections, inputs at the top. An SVG
 * string, drawn from the same rows as `summary()`.
 *
 * @since 0.1.0
 */
import { fail, show } from '../core/errors.js'
import { INTERNALS, isModelCore, type ModelCore } from '../layers/common.js'
import { escape } from './svg.js'

/** What {@link plotModel} draws. */
export interface PlotModelOptions {
  /** show each layer's input and output shapes (default true) */
  readonly showShapes?: boolean
  /** show the layer types after the names (default true) */
  readonly showTypes?: boolean
  /** the model's name as a title (default false) */
  readonly showTitle?: boolean
}

interface Node {
  readonly name: string
  readonly type: string
  readonly output: string
  readonly from: ReadonlyArray<string>
}

/** The layer graph of a model, from its summary rows. */
const graphOf = (m: ModelCore): Node[] => {
  const rows = m[INTERNALS].rows()
  const parsed = rows.map(([nameType, output, , connected]) => {
    const mt = /^(.*) \((.*)\)$/.exec(nameType)
    const from = [...connected.matchAll(/'([^'\[]+)\[\d+\]\[\d+\]'/g)].map((x) => x[1])
    return { name: mt ? mt[1] : nameType, type: mt ? mt[2] : '', output, from }
  })
  // a Sequential model: a chain, with its input in front (as plot_model draws it)
  const chain = rows.every((r) => r[3] === '') && !parsed.some((p) => p.type === 'InputLayer')
  if (!chain) return parsed
  const inShape = (m as unknown as { inputShape?: unknown }).inputShape
  const input: Node = { name: `${m.name}_input`, type: 'InputLayer', output: shapeText(inShape), from: [] }
  return [input, ...parsed.map((p, i) => ({ ...p, from: [i === 0 ? input.name : parsed[i - 1].name] }))]
}

const shapeText = (s: unknown): string => (Array.isArray(s) ? `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')})` : Array.isArray(s) ? String(s) : '?')

/**
 * An SVG diagram of a built model (Sequential or functional).
 * @example const svg = plotModel(model, { showShapes: true }) // tslab.display.svg(svg)
 */
export const plotModel = (model: unknown, opts: PlotModelOptions = {}): string => {
  if (!isModelCore(model)) return fail('NotAModel', `plotModel: expected a model (sequential or model), received ${show(model)}`, { path: 'model', expected: 'a model', received: model })
  if (!model.built) return fail('NotBuilt', `plotModel: model '${model.name}' is not built; give its first layer an inputShape or call build()`, { path: 'model', expected: 'a built model', received: model.name })
  const nodes = graphOf(model)
  const byName = new Map(nodes.map((n) => [n.name, n]))
  // depth: the longest path from an input
  const depth = new Map<string, number>()
  const depthOf = (n: Node): number => {
    const d = depth.get(n.name)
    if (d !== undefined) return d
    const v = n.from.length === 0 ? 0 : 1 + Math.max(...n.from.map((f) => (byName.has(f) ? depthOf(byName.get(f)!) : 0)))
    depth.set(n.name, v)
    return v
  }
  nodes.forEach(depthOf)
  const levels: Node[][] = []
  for (const n of nodes) (levels[depth.get(n.name)!] ??= []).push(n)
  const showShapes = opts.showShapes ?? true
  const showTypes = opts.showTypes ?? true
  const lines = (n: Node): string[] => {
    const head = showTypes ? `${n.name} (${n.type})` : n.name
    if (!showShapes) return [head]
    const input = n.from.length === 0 ? n.output : n.from.map((f) => byName.get(f)?.output ?? '?').join(', ')
    return [head, `input: ${input}`, `output: ${n.output}`]
  }
  const charW = 7
  const boxW = Math.max(150, ...nodes.map((n) => Math.max(...lines(n).map((l) => l.length)) * charW + 24))
  const boxH = showShapes ? 58 : 30
  const gapX = 24
  const gapY = 36
  const title = opts.showTitle === true ? 28 : 0
  const widest = Math.max(...levels.map((l) => l.length))
  const W = widest * boxW + (widest - 1) * gapX + 32
  const H = title + levels.length * boxH + (levels.length - 1) * gapY + 32
  const pos = new Map<string, { x: number; y: number }>()
  levels.forEach((level, d) => {
    const total = level.length * boxW + (level.length - 1) * gapX
    level.forEach((n, i) => pos.set(n.name, { x: (W - total) / 2 + i * (boxW + gapX), y: 16 + title + d * (boxH + gapY) }))
  })
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>`,
    `<rect width="${W}" height="${H}" fill="white"/>`
  ]
  if (title) parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escape(model.name)}</text>`)
  for (const n of nodes)
    for (const f of n.from) {
      const a = pos.get(f)
      const b = pos.get(n.name)!
      if (a === undefined) continue
      parts.push(`<line x1="${(a.x + boxW / 2).toFixed(1)}" y1="${a.y + boxH}" x2="${(b.x + boxW / 2).toFixed(1)}" y2="${b.y}" stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"/>`)
    }
  for (const n of nodes) {
    const p = pos.get(n.name)!
    const ls = lines(n)
    parts.push(`<rect x="${p.x.toFixed(1)}" y="${p.y}" width="${boxW}" height="${boxH}" rx="4" fill="${n.type === 'InputLayer' ? '#eef5e9' : '#eaf2fb'}" stroke="#333"/>`)
    ls.forEach((l, i) => parts.push(`<text x="${(p.x + boxW / 2).toFixed(1)}" y="${p.y + 19 + i * 16}" text-anchor="middle"${i === 0 ? ' font-weight="bold"' : ''}>${escape(l)}</text>`))
  }
  parts.push('</svg>')
  return parts.join('\n')
}
