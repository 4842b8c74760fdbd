/**
 * Tests that kill StrykerJS mutants of `src/train/progress.ts` which survived `test/train` (issue 9 item
 * 7; docs/laws.md, "Mutation testing", group g2): the formats at their boundaries (Keras 2.15
 * `Progbar`: `%.4f` above 1e-3 and `%.4e` at or below it, ETA as `h:mm:ss`, `m:ss` or `Ns`, time per
 * step in s, ms or us), the bar's geometry, and where `progbar` writes what.
 */
import { describe, it, expect, afterEach, vi } from 'vitest'
import { formatValue, formatDuration, formatPerStep, formatBar, formatEpochLine, formatLogs, fitBar, progbar, inJupyter, stdoutColumns, stdoutIsInteractive, stdoutWrite } from '../../src/train/progress.js'

describe('formats', () => {
  it('formatValue: 4 decimals above 1e-3 in size, scientific at or below it, 0 and non-finite values plainly', () => {
    expect(formatValue(0)).toBe('0.0000')
    expect(formatValue(0.001)).toBe('1.0000e-3')
    expect(formatValue(-0.001)).toBe('-1.0000e-3')
    expect(formatValue(0.0011)).toBe('0.0011')
    expect(formatValue(-2.5)).toBe('-2.5000')
    expect(formatValue(NaN)).toBe('NaN')
    expect(formatValue(Infinity)).toBe('Infinity')
    expect(formatValue(-Infinity)).toBe('-Infinity')
  })
  it('formatLogs: each key in order', () => {
    expect(formatLogs({ loss: 1, acc: 0.5 })).toBe(' - loss: 1.0000 - acc: 0.5000')
    expect(formatLogs({})).toBe('')
  })
  it('formatDuration: whole seconds from 1000 ms, rounded; ms below', () => {
    expect(formatDuration(999.4)).toBe('999ms')
    expect(formatDuration(1000)).toBe('1s')
    expect(formatDuration(2600)).toBe('3s')
    expect(formatDuration(0)).toBe('0ms')
  })
  it('formatPerStep: s from 1000 ms (and for 0), ms from 1 ms, us below', () => {
    expect(formatPerStep(0)).toBe('0s/step')
    expect(formatPerStep(1000)).toBe('1s/step')
    expect(formatPerStep(999)).toBe('999ms/step')
    expect(formatPerStep(1)).toBe('1ms/step')
    expect(formatPerStep(0.9996)).toBe('1000us/step')
    expect(formatPerStep(0.0004)).toBe('0us/step')
  })
  it('the ETA: Ns up to a minute, m:ss up to an hour, h:mm:ss above', () => {
    const eta = (s: number): string => formatBar(1, 2, {}, s * 1000, false).replace(/^.* - ETA: /, '')
    expect(eta(59.6)).toBe('60s')
    expect(eta(60)).toBe('60s')
    expect(eta(61)).toBe('1:01')
    expect(eta(3599)).toBe('59:59')
    expect(eta(3600)).toBe('60:00')
    expect(eta(3601)).toBe('1:00:01')
    expect(eta(3 * 3600 + 5 * 60 + 7)).toBe('3:05:07')
  })
})

describe('formatBar', () => {
  it('the bar: filled cells, the arrow while running, padded count; past the target it stays full', () => {
    expect(formatBar(0, 10, {}, 0, false)).toBe(` 0/10 [${'.'.repeat(30)}] - ETA: 0s`)
    expect(formatBar(1, 10, {}, 100, false)).toBe(` 1/10 [==>${'.'.repeat(27)}] - ETA: 1s`)
    expect(formatBar(10, 10, {}, 1000, true)).toBe(`10/10 [${'='.repeat(30)}] - 1s 100ms/step`)
    expect(formatBar(12, 10, {}, 1200, true)).toBe(`12/10 [${'='.repeat(30)}] - 1s 100ms/step`)
    expect(formatBar(5, 10, {}, 500, false, 10)).toBe(` 5/10 [====>.....] - ETA: 1s`)
  })
  it('an unknown number of steps: the count and the time so far, no bar', () => {
    expect(formatBar(7, undefined, { loss: 2 }, 1400, false)).toBe('7/Unknown - 1s 200ms/step - loss: 2.0000')
    expect(formatBar(0, undefined, {}, 0, false)).toBe('0/Unknown - 0ms 0s/step')
    // a target of 0 is as unknown
    expect(formatBar(0, 0, {}, 0, true)).toBe('0/Unknown - 0ms 0s/step')
  })
  it('the verbose-2 line', () => {
    expect(formatEpochLine(4, { loss: 0.5 }, 2000)).toBe('4/4 - 2s - 500ms/step - loss: 0.5000')
    expect(formatEpochLine(0, {}, 30)).toBe('0/0 - 30ms - 0s/step')
  })
})

describe('fitBar', () => {
  const line = (w: number): string => `[${'='.repeat(w)}] - loss: 0.1234 - accuracy: 0.5000`
  it('no columns, or a line that fits in columns - 1: the full line', () => {
    expect(fitBar(undefined, true, line)).toBe(line(30))
    expect(fitBar(line(30).length + 1, true, line)).toBe(line(30))
  })
  it('too long: the bar narrows by the excess, to 10 cells at least; then, if cut, the end is replaced by …', () => {
    const full = line(30).length
    expect(fitBar(full, true, line)).toBe(line(29))
    expect(fitBar(full - 10, false, line)).toBe(line(19))
    expect(fitBar(20, false, line)).toBe(line(10))
    const cut = fitBar(20, true, line)
    expect(cut).toBe(`${line(10).slice(0, 18)}…`)
    expect(cut.length).toBe(19)
    expect(fitBar(1, true, line)).toBe(`${line(10).slice(0, 1)}…`)
  })
})

describe('progbar: what goes where', () => {
  it('verbose 2: nothing while running, one epoch line at the end', () => {
    const out: string[] = []
    const p = progbar({ target: 2, verbose: 2, interactive: true, write: (s) => void out.push(s), now: () => 0 })
    p.update(1, { loss: 1 })
    expect(out).toEqual([])
    p.done(2, { loss: 1 })
    expect(out).toEqual(['2/2 - 0ms - 0s/step - loss: 1.0000\n'])
  })
  it('interactive, ansi: redraws at most every intervalMs (50 by default), then the final line over the last draw', () => {
    const out: string[] = []
    let now = 0
    const p = progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => now, columns: 200, clear: 'ansi' })
    p.update(1, {})
    now = 49
    p.update(1, {})
    expect(out.length).toBe(1)
    now = 100
    p.update(2, {})
    expect(out.length).toBe(2)
    expect(out[0]).toBe(`\r${formatBar(1, 2, {}, 0, false)}\x1b[K`)
    p.done(2, {})
    expect(out[2]).toBe(`\r${formatBar(2, 2, {}, 100, true)}\x1b[K\n`)
  })
  it('interactive but never drawn: the final line with the erase code (ansi) or plain (pad); not interactive: plain', () => {
    const ansi: string[] = []
    progbar({ target: 1, verbose: 1, interactive: true, write: (s) => void ansi.push(s), now: () => 0, columns: 200, clear: 'ansi' }).done(1, {})
    expect(ansi).toEqual([`${formatBar(1, 1, {}, 0, true)}\x1b[K\n`])
    const pad: string[] = []
    progbar({ target: 1, verbose: 1, interactive: true, write: (s) => void pad.push(s), now: () => 0, columns: 200, clear: 'pad' }).done(1, {})
    expect(pad).toEqual([`${formatBar(1, 1, {}, 0, true)}\n`])
    const plain: string[] = []
    const p = progbar({ target: undefined, verbose: 1, interactive: false, write: (s) => void plain.push(s), now: () => 0, columns: 10 })
    p.update(1, {})
    p.done(3, { loss: 1 })
    // the target is the count at the end; columns do not apply to a log
    expect(plain).toEqual([`${formatBar(3, 3, { loss: 1 }, 0, true)}\n`])
  })
  it('a display entry is used only by an interactive verbose-1 bar', () => {
    const drawn: string[] = []
    const display = { text: (s: string) => void drawn.push(s) }
    const out: string[] = []
    progbar({ target: 1, verbose: 2, interactive: true, write: (s) => void out.push(s), now: () => 0, display, title: 'Epoch 1/1' }).done(1, {})
    progbar({ target: 1, verbose: 1, interactive: false, write: (s) => void out.push(s), now: () => 0, display, title: 'Epoch 1/1' }).done(1, {})
    expect(drawn).toEqual([])
    expect(out.length).toBe(2)
    progbar({ target: 1, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => 0, columns: 200, display }).done(1, {})
    expect(drawn).toEqual([formatBar(1, 1, {}, 0, true)])
    expect(out.length).toBe(2)
  })
})

describe('the environment', () => {
  const env = { ...process.env }
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY')
  const cols = Object.getOwnPropertyDescriptor(process.stdout, 'columns')
  afterEach(() => {
    process.env = { ...env }
    if (tty !== undefined) Object.defineProperty(process.stdout, 'isTTY', tty)
    else delete (process.stdout as { isTTY?: boolean }).isTTY
    if (cols !== undefined) Object.defineProperty(process.stdout, 'columns', cols)
    else delete (process.stdout as { columns?: number }).columns
  })
  const setTTY = (isTTY: boolean | undefined, columns: number | undefined) => {
    Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true })
    Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true })
  }
  it('inJupyter: JPY_PARENT_PID or TSLAB_NOTEBOOK', () => {
    delete process.env.JPY_PARENT_PID
    delete process.env.TSLAB_NOTEBOOK
    expect(inJupyter()).toBe(false)
    process.env.TSLAB_NOTEBOOK = '1'
    expect(inJupyter()).toBe(true)
    delete process.env.TSLAB_NOTEBOOK
    process.env.JPY_PARENT_PID = '42'
    expect(inJupyter()).toBe(true)
  })
  it("stdoutColumns: a TTY's positive columns, else undefined", () => {
    setTTY(true, 120)
    expect(stdoutColumns()).toBe(120)
    setTTY(true, 0)
    expect(stdoutColumns()).toBeUndefined()
    setTTY(false, 120)
    expect(stdoutColumns()).toBeUndefined()
  })
  it('stdoutIsInteractive: a TTY or Jupyter, never in CI', () => {
    delete process.env.JPY_PARENT_PID
    delete process.env.TSLAB_NOTEBOOK
    delete process.env.CI
    setTTY(true, 80)
    expect(stdoutIsInteractive()).toBe(true)
    process.env.CI = 'true'
    expect(stdoutIsInteractive()).toBe(false)
    delete process.env.CI
    setTTY(false, undefined)
    expect(stdoutIsInteractive()).toBe(false)
    process.env.JPY_PARENT_PID = '1'
    expect(stdoutIsInteractive()).toBe(true)
  })
  it('an interactive bar takes the terminal width by default, and pads in Jupyter', () => {
    delete process.env.JPY_PARENT_PID
    delete process.env.TSLAB_NOTEBOOK
    setTTY(true, 30)
    const out: string[] = []
    const p = progbar({ target: 10, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => 0 })
    p.update(1, { loss: 0.25 })
    expect(out[0].replace('\r', '').replace('\x1b[K', '').length).toBeLessThanOrEqual(29)
    process.env.JPY_PARENT_PID = '1'
    const j: string[] = []
    const q = progbar({ target: 10, verbose: 1, interactive: true, write: (s) => void j.push(s), now: () => 0 })
    q.update(1, {})
    expect(j[0]).not.toContain('\x1b[K')
  })
  it('stdoutWrite: process.stdout.write as given', () => {
    const write = process.stdout.write
    const got: string[] = []
    process.stdout.write = ((s: string) => (got.push(s), true)) as never
    try {
      stdoutWrite('a\n')
    } finally {
      process.stdout.write = write
    }
    expect(got).toEqual(['a\n'])
  })
})

describe('progbar: timing, the display entry, the final line', () => {
  it('redraws once intervalMs has passed (not before), with the time since the bar began', () => {
    const out: string[] = []
    let now = 1000
    const p = progbar({ target: 4, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => now, columns: 200, clear: 'ansi' })
    now = 1500
    p.update(1, {})
    now = 1549
    p.update(2, {})
    now = 1550
    p.update(2, {})
    expect(out).toEqual([`\r${formatBar(1, 4, {}, 500, false)}\x1b[K`, `\r${formatBar(2, 4, {}, 550, false)}\x1b[K`])
    now = 3000
    p.done(4, {})
    expect(out[2]).toBe(`\r${formatBar(4, 4, {}, 2000, true)}\x1b[K\n`)
  })
  it('a display entry gets the title above the bar, and nothing goes to write', () => {
    const drawn: string[] = []
    const out: string[] = []
    const p = progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => 0, columns: 200, display: { text: (s) => void drawn.push(s) }, title: 'Epoch 1/3' })
    p.update(1, {})
    p.done(2, {})
    expect(drawn).toEqual([`Epoch 1/3\n${formatBar(1, 2, {}, 0, false)}`, `Epoch 1/3\n${formatBar(2, 2, {}, 0, true)}`])
    expect(out).toEqual([])
  })
  it('the final line of an interactive bar narrows its bar to the columns but keeps every log', () => {
    const out: string[] = []
    const logs = { loss: 0.1234, accuracy: 0.5, val_loss: 0.25, val_accuracy: 0.75 }
    progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => 0, columns: 60, clear: 'ansi' }).done(2, logs)
    expect(out[0]).toBe(`${formatBar(2, 2, logs, 0, true, 10)}\x1b[K\n`)
    expect(out[0]).not.toContain('…')
  })
  it('outside Jupyter an interactive bar erases with the ANSI code by default', () => {
    const had = { ...process.env }
    delete process.env.JPY_PARENT_PID
    delete process.env.TSLAB_NOTEBOOK
    try {
      const out: string[] = []
      progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => 0, columns: 200 }).update(1, {})
      expect(out[0]).toBe(`\r${formatBar(1, 2, {}, 0, false)}\x1b[K`)
    } finally {
      process.env = had
    }
  })
})

describe('progbar: a display entry that fails, pad mode (StrykerJS g2)', () => {
  it('a display entry that cannot draw: the title (if any) once, then the very line that failed goes to write', () => {
    const failing = { text: (): void => { throw new Error('Not ready') } }
    const titled: string[] = []
    const p = progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void titled.push(s), now: () => 0, columns: 200, clear: 'ansi', intervalMs: 0, display: failing, title: 'Epoch 1/1' })
    p.update(1, {})
    expect(titled).toEqual(['Epoch 1/1\n', `\r${formatBar(1, 2, {}, 0, false)}\x1b[K`])
    const bare: string[] = []
    const q = progbar({ target: 2, verbose: 1, interactive: true, write: (s) => void bare.push(s), now: () => 0, columns: 200, clear: 'ansi', display: failing })
    q.done(2, {})
    expect(bare).toEqual([`${formatBar(2, 2, {}, 0, true)}\x1b[K\n`])
  })
  it('pad: the first draw has no padding; a shorter draw is padded by exactly what the previous one left', () => {
    const out: string[] = []
    let now = 0
    const p = progbar({ target: 10, verbose: 1, interactive: true, write: (s) => void out.push(s), now: () => now, columns: 200, clear: 'pad', intervalMs: 0 })
    const long = formatBar(1, 10, { loss: 0.5, accuracy: 0.25 }, 0, false)
    p.update(1, { loss: 0.5, accuracy: 0.25 })
    now = 1
    const short = formatBar(2, 10, {}, 1, false)
    p.update(2, {})
    expect(out).toEqual([`\r${long}`, `\r${short}${' '.repeat(long.length - short.length)}`])
  })
})

describe('the environment without a process, or with part of one (a browser, a bundler stand-in; StrykerJS g2)', () => {
  /** run `f` with `globalThis.process` replaced (synchronously; expectations run after it is back) */
  const withProcess = <A>(p: unknown, f: () => A): A => {
    const d = Object.getOwnPropertyDescriptor(globalThis, 'process')
    Object.defineProperty(globalThis, 'process', { value: p, configurable: true, writable: true })
    try {
      return f()
    } finally {
      if (d !== undefined) Object.defineProperty(globalThis, 'process', d)
    }
  }
  const probe = () => {
    const logged: unknown[][] = []
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a))
    try {
      return { jupyter: inJupyter(), columns: stdoutColumns(), interactive: stdoutIsInteractive(), written: (stdoutWrite('a\nb\n'), logged) }
    } finally {
      log.mockRestore()
    }
  }
  it('no process: not Jupyter, no width, not interactive, and stdoutWrite prints by console.log without the last newline only', () => {
    const got = withProcess(undefined, probe)
    expect(got).toEqual({ jupyter: false, columns: undefined, interactive: false, written: [['a\nb']] })
  })
  it('a process without stdout or env: the same', () => {
    expect(withProcess({}, probe)).toEqual({ jupyter: false, columns: undefined, interactive: false, written: [['a\nb']] })
  })
  it('a terminal stdout but no env: interactive (no CI), not Jupyter; a stdout without write: console.log', () => {
    const got = withProcess({ stdout: { isTTY: true, columns: 100 } }, probe)
    expect(got).toEqual({ jupyter: false, columns: 100, interactive: true, written: [['a\nb']] })
  })
  it('columns that are not a number are no width', () => {
    expect(withProcess({ stdout: { isTTY: true, columns: '120' } }, stdoutColumns)).toBeUndefined()
  })
})
