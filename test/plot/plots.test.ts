/**
 * The notebook plots: clean ticks and axis labels on plotHistory, the confusion matrix, the model
 * diagram; and each rendered to PNG in headless Chromium (tmp/plots/*.png), with pixels checked.
 */
import { describe, it, expect, afterAll } from 'vitest'
import fc from 'fast-check'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { decode } from 'fast-png'
import { plotHistory, plotConfusionMatrix, confusionMatrix, plotModel, sequential, dense, dropout, input, call, model, layers, tensor, TensorfoldError } from '../../src/index.js'
import { ticks, tickLabel, tickStep } from '../../src/plot/svg.js'
import { browserSkipReason, launch } from '../browser/chromium.js'

const yTickLabels = (svg: string): string[] => [...svg.matchAll(/<text x="66" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1])

describe('ticks', () => {
  it('are multiples of 1, 2 or 5 × 10^k, cover the range, and their labels carry no float noise', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, span) => {
        const hi = lo + span
        const step = tickStep(lo, hi)
        const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-12)
        expect([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6)).toBe(true)
        const ts = ticks(lo, hi)
        expect(ts.length).toBeGreaterThanOrEqual(2)
        expect(ts.length).toBeLessThanOrEqual(12)
        for (const t of ts) {
          const tol = Math.max(step * 1e-6, Math.abs(t) * 1e-11)
          expect(t).toBeGreaterThanOrEqual(lo - tol)
          expect(t).toBeLessThanOrEqual(hi + tol)
          expect(tickLabel(t, step)).not.toMatch(/\d{9,}/)
        }
      }),
      { numRuns: 300 }
    )
    expect(ticks(0.25, 0.72)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7])
    expect(ticks(0.25, 0.72).map((t) => tickLabel(t, 0.1))).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7'])
  })

  it('plotHistory labels the y axis and uses clean ticks', () => {
    const svg = plotHistory({ loss: [0.9, 0.5, 0.31, 0.3], val_loss: [1, 0.6, 0.45, 0.41] })
    expect(svg).toContain('rotate(-90')
    expect(svg).toMatch(/>loss<\/text>/)
    expect(yTickLabels(svg)).toEqual(['0.4', '0.6', '0.8', '1.0'])
    expect(plotHistory({ accuracy: [0.5, 0.9] })).toMatch(/rotate\(-90[^>]*>accuracy</)
    expect(plotHistory({ loss: [1, 2] }, { yLabel: 'cross-entropy' })).toMatch(/>cross-entropy</)
    const log = plotHistory({ loss: [1, 0.1, 0.01] }, { logY: true })
    expect(yTickLabels(log)).toEqual(['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1'])
  })
})

describe('confusion matrix', () => {
  it('counts true × predicted, from labels or scores', () => {
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 0, 2])).toEqual([[1, 0, 0], [1, 1, 0], [0, 0, 1]])
    expect(confusionMatrix(tensor([[0], [1]]), tensor([[0.9, 0.1], [0.2, 0.8]]), 3)).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(4), fc.nat(4)), { maxLength: 50 }), (pairs) => {
        const m = confusionMatrix(pairs.map((p) => p[0]), pairs.map((p) => p[1]), 5)
        expect(m.flat().reduce((a, b) => a + b, 0)).toBe(pairs.length)
        expect(m.map((r) => r.reduce((a, b) => a + b, 0))).toEqual([0, 1, 2, 3, 4].map((c) => pairs.filter((p) => p[0] === c).length))
      })
    )
  })
  it('refuses bad labels with a tagged error naming the sample', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow(/yTrue\[1\] is 3, expected a class index in \[0, 2\)/)
    expect(() => confusionMatrix([0], [0, 1])).toThrow(TensorfoldError)
    expect(() => plotConfusionMatrix([[1, 2]])).toThrow(/square matrix/)
  })
  it("raises plot's own tags (PlotError), never the tensor stack's InvalidArgument", () => {
    const tagOf = (f: () => unknown): unknown => {
      try {
        f()
      } catch (e) {
        return (e as TensorfoldError)._tag
      }
      return 'no throw'
    }
    expect(tagOf(() => confusionMatrix([0, 3], [0, 1], 2))).toBe('InvalidData')
    expect(tagOf(() => confusionMatrix([0], [0, 1]))).toBe('InvalidData')
    expect(tagOf(() => confusionMatrix('x' as never, [0]))).toBe('InvalidData')
    expect(tagOf(() => plotConfusionMatrix([[1, 2]]))).toBe('InvalidData')
    expect(tagOf(() => plotConfusionMatrix([[1, 0], [0, 1]], { labels: ['a'] }))).toBe('InvalidOption')
    expect(tagOf(() => plotHistory({ loss: ['a'] as never }))).toBe('InvalidData')
    expect(tagOf(() => plotModel({}))).toBe('NotAModel')
    expect(tagOf(() => plotModel(sequential([dense(2)])))).toBe('NotBuilt')
  })
})

const mlp = sequential([dense(8, { inputShape: [16], activation: 'relu' }), dropout(0.5), dense(3, { activation: 'softmax' })], { name: 'mlp' })
const branched = (() => {
  const x = input({ shape: [4], name: 'features' })
  const a = call(dense(6, { activation: 'relu' }), x)
  const b = call(dense(6, { activation: 'tanh' }), x)
  return model({ inputs: x, outputs: call(dense(1), call(layers.add(), [a, b])), name: 'branched' })
})()

describe('plotModel', () => {
  it('draws one box per layer (and the input), with shapes, and one arrow per connection', () => {
    const s = plotModel(mlp)
    expect((s.match(/<rect x=[^>]*rx="4"/g) ?? []).length).toBe(4)
    expect((s.match(/marker-end/g) ?? []).length).toBe(3)
    expect(s).toContain('mlp_input (InputLayer)')
    expect(s).toContain('input: (None, 8)')
    expect(s).toContain('output: (None, 3)')
    const f = plotModel(branched)
    expect((f.match(/<rect x=[^>]*rx="4"/g) ?? []).length).toBe(5)
    expect((f.match(/marker-end/g) ?? []).length).toBe(5)
    expect(f).toContain('input: (None, 6), (None, 6)')
    expect(() => plotModel(sequential([dense(2)]))).toThrow(/not built/)
    expect(() => plotModel({})).toThrow(/expected a model/)
  })
})

const skip = browserSkipReason()
describe.skipIf(skip !== undefined)('rendered to PNG in headless Chromium', () => {
  const out = resolve(__dirname, '../../tmp/plots')
  mkdirSync(out, { recursive: true })
  let closer: (() => Promise<void>) | undefined
  afterAll(async () => closer?.())

  const render = async (name: string, svg: string) => {
    if (closer === undefined) {
      const b = await launch('none')
      closer = b.close
      renderPage = await b.context.newPage()
    }
    const w = Number(/width="(\d+)"/.exec(svg)![1])
    const h = Number(/height="(\d+)"/.exec(svg)![1])
    await renderPage!.setViewportSize({ width: w, height: h })
    await renderPage!.setContent(`<html><body style="margin:0">${svg}</body></html>`)
    const png = await renderPage!.screenshot({ clip: { x: 0, y: 0, width: w, height: h } })
    writeFileSync(join(out, `${name}.png`), png)
    const img = decode(png)
    const px = (x: number, y: number): [number, number, number] => {
      const i = (Math.round(y) * img.width + Math.round(x)) * img.channels
      return [img.data[i], img.data[i + 1], img.data[i + 2]]
    }
    return { img, px }
  }
  let renderPage: Awaited<ReturnType<Awaited<ReturnType<typeof launch>>['context']['newPage']>> | undefined

  it('plotHistory, the confusion matrix and the model diagram render with what they draw where they draw it', async () => {
    const h = await render('history', plotHistory({ loss: [0.9, 0.5, 0.31, 0.3], val_loss: [1, 0.6, 0.45, 0.41] }, { title: 'training' }))
    expect(h.img.width).toBe(640)
    // the y label's column (x = 16) has dark text pixels somewhere around the middle
    let dark = 0
    for (let x = 6; x < 24; x++) for (let y = 100; y < 220; y++) if (h.px(x, y)[0] < 160) dark++
    expect(dark).toBeGreaterThan(20)

    const cm = await render('confusion', plotConfusionMatrix([[50, 2, 0], [5, 40, 5], [0, 1, 60]], { labels: ['cat', 'dog', 'bird'], title: 'confusion' }))
    // the diagonal cells are dark blue, an off-diagonal zero is near white
    const cell = (i: number, j: number) => {
      const svg = plotConfusionMatrix([[50, 2, 0], [5, 40, 5], [0, 1, 60]], { labels: ['cat', 'dog', 'bird'], title: 'confusion' })
      const r = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="48"/g)][i * 3 + j]
      return cm.px(Number(r[1]) + 4, Number(r[2]) + 4)
    }
    expect(cell(2, 2)[0]).toBeLessThan(60)
    expect(cell(0, 2)[0]).toBeGreaterThan(230)

    const md = await render('model', plotModel(branched, { showTitle: true }))
    expect(md.img.width).toBeGreaterThan(300)
    const svg = plotModel(branched, { showTitle: true })
    const boxes = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)" rx="4" fill="(#[0-9a-f]+)"/g)]
    expect(boxes.length).toBe(5)
    for (const b of boxes) {
      const [r, g, bl] = md.px(Number(b[1]) + 6, Number(b[2]) + Number(b[4]) - 5)
      const want = b[5] === '#eef5e9' ? [0xee, 0xf5, 0xe9] : [0xea, 0xf2, 0xfb]
      expect(Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(bl - want[2])).toBeLessThan(12)
    }
  }, 120_000)
})
