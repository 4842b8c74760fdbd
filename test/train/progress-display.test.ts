/** The progress bar fits the terminal's width, and redraws in a Jupyter kernel with `\r` and spaces. */
import { describe, it, expect, afterEach } from 'vitest'
import fc from 'fast-check'
import { progbar, fitBar, formatBar, inJupyter, stdoutColumns, stdoutIsInteractive } from '../../src/train/progress.js'

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
