/** The progress bar fits the terminal's width, and redraws in a Jupyter kernel with `\r` and spaces. */
import { describe, it, expect, afterEach } from 'vitest'
import fc from 'fast-check'
import { progbar, fitBar, formatBar, inJupyter, stdoutColumns, stdoutIsInteractive } from '../../src/train/progress.js'
import { sequential, dense, randomNormal, key, progbarLogger } from '../../src/index.js'

const logs = { loss: 0.123456, accuracy: 0.5, val_loss: 0.2, val_accuracy: 0.75, mae: 1.5 }

describe('progress bar width', () => {
  it('a redraw never exceeds columns - 1 (the bar narrows, then the logs are cut with …)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 200 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (columns, target, cur) => {
        const current = Math.min(cur, target)
        const line = fitBar(columns, true, (w) => formatBar(current, target, logs, 1234, false, w))
        expect(line.length).toBeLessThanOrEqual(columns - 1)
        const full = formatBar(current, target, logs, 1234, false)
        if (full.length <= columns - 1) expect(line).toBe(full)
      }),
      { numRuns: 300 }
    )
  })

  it('at 80 columns: the redraws fit, the final line keeps every log', () => {
    const out: string[] = []
    let t = 0
    const bar = progbar({ target: 1000, verbose: 1, interactive: true, columns: 80, clear: 'ansi', write: (s) => out.push(s), now: () => t, intervalMs: 0 })
    for (let i = 1; i <= 1000; i += 111) {
      t += 10
      bar.update(i, logs)
    }
    bar.done(1000, logs)
    const redraws = out.slice(0, -1).map((s) => s.replace(/^\r/, '').replace(/\x1b\[K$/, ''))
    expect(redraws.length).toBeGreaterThan(3)
    for (const r of redraws) expect(r.length).toBeLessThanOrEqual(79)
    expect(redraws.some((r) => r.endsWith('…'))).toBe(true)
    const final = out[out.length - 1]
    expect(final).toMatch(/val_accuracy: 0\.7500 - mae: 1\.5000\x1b\[K\n$/)
    expect(final).toMatch(/\[=+\]/)
  })

  it("pad mode (Jupyter): '\\r' then spaces over what the previous draw left, no ANSI codes", () => {
    const out: string[] = []
    let t = 0
    const bar = progbar({ target: 10, verbose: 1, interactive: true, columns: 100, clear: 'pad', write: (s) => out.push(s), now: () => t, intervalMs: 0 })
    t = 1
    bar.update(5, { loss: 123.456789, accuracy: 0.5 })
    t = 2
    bar.update(6, { loss: 1 })
    bar.done(10, { loss: 1 })
    expect(out.join('')).not.toContain('\x1b')
    expect(out.every((s) => s.startsWith('\r'))).toBe(true)
    // each draw is at least as long as the one before it on screen, so nothing stale remains
    const visible = out.map((s) => s.replace(/^\r/, '').replace(/\n$/, ''))
    for (let i = 1; i < visible.length; i++) expect(visible[i].length).toBeGreaterThanOrEqual(visible[i - 1].trimEnd().length)
  })
})

describe('where progress redraws', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })
  it('a Jupyter kernel (JPY_PARENT_PID) redraws, at full width; CI never redraws', () => {
    delete process.env.CI
    delete process.env.TSLAB_NOTEBOOK
    delete process.env.JPY_PARENT_PID
    expect(inJupyter()).toBe(false)
    process.env.JPY_PARENT_PID = '123'
    expect(inJupyter()).toBe(true)
    expect(stdoutIsInteractive()).toBe(true)
    if (process.stdout.isTTY !== true) expect(stdoutColumns()).toBeUndefined()
    process.env.CI = 'true'
    expect(stdoutIsInteractive()).toBe(false)
  })
})

describe('progress in a notebook display entry (tslab newDisplay)', () => {
  it('draws the title and the bar into the entry, overwriting it, and writes nothing to stdout', () => {
    const out: string[] = []
    const shown: string[] = []
    let t = 0
    const bar = progbar({ target: 100, verbose: 1, interactive: true, write: (s) => out.push(s), now: () => t, intervalMs: 0, display: { text: (s) => shown.push(s) }, title: 'Epoch 2/5' })
    for (let i = 1; i <= 100; i += 10) {
      t += 5
      bar.update(i, { loss: 0.5 })
    }
    bar.done(100, { loss: 0.25 })
    expect(out).toEqual([])
    expect(shown.length).toBe(11)
    for (const s of shown) expect(s).toMatch(/^Epoch 2\/5\n\s*\d+\/100 \[/)
    expect(shown[shown.length - 1]).toMatch(/^Epoch 2\/5\n100\/100 \[={30}\] - .* - loss: 0\.2500$/)
  })

  it('falls back to stdout (title once, then the bar) when the entry cannot draw', () => {
    const out: string[] = []
    const bar = progbar({ target: 10, verbose: 1, interactive: true, write: (s) => out.push(s), now: () => 0, intervalMs: 0, clear: 'pad', display: { text: () => { throw new Error('Not ready') } }, title: 'Epoch 1/1' })
    bar.update(5, {})
    bar.update(6, {})
    bar.done(10, {})
    expect(out[0]).toBe('Epoch 1/1\n')
    expect(out.filter((s) => s.includes('Epoch')).length).toBe(1)
    expect(out[out.length - 1]).toMatch(/10\/10 \[={30}\].*\n$/)
  })

  it('fit with progbarLogger({ display }) opens one entry per epoch and redraws it live', async () => {
    const entries: string[][] = []
    const make = () => {
      const e: string[] = []
      entries.push(e)
      return { text: (s: string) => void e.push(s) }
    }
    const model = sequential([dense(4, { inputShape: [3], activation: 'relu' }), dense(1)], { seed: 0 })
    const trainer = model.compile({ optimizer: 'sgd', loss: 'mse', seed: 0 })
    const x = randomNormal(key(1), [64, 3])
    const y = randomNormal(key(2), [64, 1])
    const out: string[] = []
    await trainer.fit(x, y, { epochs: 3, batchSize: 8, verbose: 1, write: (s: string) => void out.push(s), callbacks: [progbarLogger({ interactive: true, intervalMs: 0, display: make })] })
    expect(entries.length).toBe(3)
    entries.forEach((e, i) => {
      expect(e.length).toBeGreaterThan(2)
      expect(e[e.length - 1]).toMatch(new RegExp(`^Epoch ${i + 1}/3\\n8/8 \\[={30}\\] - .* - loss: \\d`))
    })
    // the user's ProgbarLogger replaces fit's own (Keras's CallbackList does the same): nothing on stdout
    expect(out.join('')).not.toMatch(/Epoch/)
  })

  it('progbarLogger({ display: false }) redraws on stdout; in plain Node no display is found', async () => {
    const { notebookDisplay } = await import('../../src/platform/node.js')
    expect(notebookDisplay()).toBeUndefined()
    const model = sequential([dense(1, { inputShape: [2] })], { seed: 0 })
    const out: string[] = []
    await model.compile({ optimizer: 'sgd', loss: 'mse' }).fit(randomNormal(key(1), [16, 2]), randomNormal(key(2), [16, 1]), { epochs: 1, batchSize: 8, verbose: 1, write: (s: string) => void out.push(s), callbacks: [progbarLogger({ interactive: true, intervalMs: 0, display: false })] })
    expect(out[0]).toBe('Epoch 1/1\n')
  })
})
