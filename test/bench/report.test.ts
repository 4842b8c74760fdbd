/**
 * bench/report.ts: the ops table shows "median (best)" for every throughput figure, the ratios use the
 * medians only, and the per-child load record (load average, other processes' CPU) is computed and
 * flagged as documented in docs/performance.md ("What each number means").
 */
import { describe, it, expect } from 'vitest'
import {
  fmtMedianBest,
  hostRecord,
  loadTable,
  loadWarnings,
  medianChild,
  opsRatios,
  opsTable,
  OPS_HEADER,
  parseProcStat,
  summarizeOps,
  type ChildResult
} from '../../bench/report.js'

/** One op child's result with the given matmul-512 and add figures (the other sizes mirror 512). */
const child = (o: { gflops: number; best: number; addMs: number; addGBs: number; addBest: number; addSteady?: number; expBest?: number; ok?: boolean }): ChildResult => {
  const mm = { gflops: o.gflops, bestGflops: o.best }
  return {
    ok: o.ok ?? true,
    name: 'lib',
    matmul: { 128: mm, 256: mm, 512: { ...mm, steadyGflops: o.gflops + 1 }, 1024: mm },
    matmulThreaded: { 512: { gflops: o.gflops * 1.5, bestGflops: o.best * 1.5 } },
    elementwise: { add: { ms: o.addMs, gbPerS: o.addGBs, bestGbPerS: o.addBest, steadyGbPerS: o.addSteady ?? o.addGBs }, exp: { ms: 4, melemPerS: 250, bestMelemPerS: o.expBest ?? 300 } },
    tinyUs: { op: { us: 0.5 }, opRead: { us: 0.7 } },
    cpuPerWall: 1.1
  }
}

describe('summarizeOps', () => {
  it('takes the median of the per-process medians and the best of the per-process best runs', () => {
    const s = summarizeOps('tensorfold-webasm', [
      child({ gflops: 10, best: 20, addMs: 3, addGBs: 4, addBest: 6, addSteady: 11 }),
      child({ gflops: 12, best: 30, addMs: 2, addGBs: 6, addBest: 9, addSteady: 7, expBest: 400 }),
      child({ gflops: 16, best: 17, addMs: 1, addGBs: 12, addBest: 13, addSteady: 9 }),
      child({ gflops: 99, best: 99, addMs: 0.1, addGBs: 99, addBest: 99, ok: false })
    ])
    expect(s.processes).toBe(3)
    expect(s.matmulGflops['512']).toBe(12)
    expect(s.matmulBestGflops['512']).toBe(30)
    expect(s.matmulThreadedGflops['512']).toBe(18)
    expect(s.matmulThreadedBestGflops['512']).toBe(45)
    expect(s.matmulThreadedBestGflops['1024']).toBeNull()
    expect(s.matmul512SteadyGflops).toBe(13)
    expect([s.addMs, s.addGBs, s.addBestGBs, s.addSteadyGBs]).toEqual([2, 6, 13, 9])
    expect([s.expMelemS, s.expBestMelemS]).toEqual([250, 400])
  })
})

describe('opsTable', () => {
  it('labels the columns "median (best)" and shows both figures in each throughput cell', () => {
    expect(OPS_HEADER).toContain('matmul GFLOP/s, median (best)')
    expect(OPS_HEADER).toContain('add 1e6 GB/s, median (best)')
    expect(OPS_HEADER).toContain('add 1e6 GB/s from call 55, median')
    expect(OPS_HEADER).toContain('exp 1e6 Melem/s, median (best)')
    const s = summarizeOps('tfjs-wasm', [child({ gflops: 16.8, best: 24.1, addMs: 2.5, addGBs: 4.76, addBest: 6.02, addSteady: 11.5, expBest: 301 })])
    const row = opsTable([s]).split('\n')[2]
    const cells = row.split('|').map((c) => c.trim())
    // library, matmul 128, 256, 512, 1024, threaded 512, threaded 1024, 512 after its first calls, add, add from call 55, exp, …
    expect(cells.slice(1, 12)).toEqual(['tfjs-wasm', '16.80 (24.10)', '16.80 (24.10)', '16.80 (24.10)', '16.80 (24.10)', '25.20 (36.15)', '– (–)', '17.80', '4.76 (6.02)', '11.50', '250 (301)'])
    // every data row has as many cells as the header
    expect(row.split('|').length).toBe(OPS_HEADER.split('|').length)
  })
  it('formats a missing figure as a dash on either side', () => {
    expect(fmtMedianBest(null, 3.14159)).toBe('– (3.14)')
    expect(fmtMedianBest(123.4, undefined)).toBe('123 (–)')
  })
})

describe('opsRatios', () => {
  it('computes the ratios from the medians, never from the best runs', () => {
    const tfw = summarizeOps('tensorfold-webasm', [child({ gflops: 20, best: 100, addMs: 2, addGBs: 6, addBest: 60 })])
    const peer = summarizeOps('tfjs-wasm', [child({ gflops: 10, best: 10, addMs: 4, addGBs: 3, addBest: 3 })])
    const x = opsRatios(tfw, peer)
    expect(x.matmul512).toBe(2)
    expect(x.matmul1024).toBe(2)
    expect(x.matmul512Threaded).toBe(3) // tensorfold's threaded median over the peer's single median
    expect(x.add).toBe(2) // peer ms / tensorfold ms
    expect(x.exp).toBe(1)
    expect(opsRatios(tfw, undefined).matmul512).toBeNull()
  })
})

describe('the load record', () => {
  it('reads the cpu line of /proc/stat as seconds', () => {
    expect(parseProcStat('cpu  100 20 50 900 7 3 10 5 0 0\ncpu0 1 2 3 4\n', 100)).toEqual({ busyS: 1.83, stealS: 0.05 })
    expect(parseProcStat('no cpu line', 100)).toBeUndefined()
  })
  it("counts other processes' CPU as the machine's less the child's, per second of wall time", () => {
    const h = hostRecord({ load1: 1.234, cpu: { busyS: 10, stealS: 1 } }, { load1: 2, cpu: { busyS: 18, stealS: 1.4 } }, 4, 6)
    expect(h).toEqual({ load1Before: 1.23, load1After: 2, busyCores: 2, otherCores: 0.5, stealCores: 0.1 })
    expect(hostRecord({ load1: 1, cpu: undefined }, { load1: 1, cpu: { busyS: 1, stealS: 0 } }, 4, 6).busyCores).toBeNull()
    expect(hostRecord({ load1: 1, cpu: { busyS: 0, stealS: 0 } }, { load1: 1, cpu: { busyS: 4, stealS: 0 } }, 4, undefined)).toMatchObject({ busyCores: 1, otherCores: null })
  })
  it('warns for a child that started at a load above 1.5 or ran beside other work, and not otherwise', () => {
    const at = (load1Before: number, otherCores: number | null): ChildResult => ({ ok: true, host: { load1Before, load1After: 1, busyCores: 1, otherCores, stealCores: 0 } })
    expect(loadWarnings([{ label: 'quiet', res: at(1.5, 0.25) }, { label: 'no host', res: { ok: false } }])).toEqual([])
    expect(loadWarnings([{ label: 'a', res: at(1.51, 0) }])).toEqual(['a: load 1.51 at its start (> 1.5)'])
    expect(loadWarnings([{ label: 'b', res: at(1, 0.3) }])).toEqual(['b: other processes used 0.30 of a core during it (> 0.25)'])
    const table = loadTable([{ label: 'ops jax-wasm (round 1)', res: { ...at(2.2, 0.3), cpuPerWall: 0.8, childWallS: 12.3 } }])
    expect(table.split('\n')[2]).toBe('| ops jax-wasm (round 1) ⚠ | 2.20 → 1.00 | 1.00 | 0.30 | 0.00 | 0.80 | 12.3 |')
  })
})

describe('medianChild', () => {
  it("takes the child with the median samples/s of those that ran, and keeps every child's figure", () => {
    const c = (samplesPerS: number, ok = true, id = ''): ChildResult => ({ ok, samplesPerS, id })
    const m = medianChild([c(30, true, 'a'), c(10, true, 'b'), c(99, false, 'x'), c(20, true, 'c')])
    expect(m.id).toBe('c')
    expect(m.samplesPerS).toBe(20)
    expect(m.samplesPerSRuns).toEqual([30, 10, 20])
    // an even count: the lower middle
    expect(medianChild([c(4), c(1), c(3), c(2)]).samplesPerS).toBe(2)
    // none ran: the first child, with no figures
    const none = medianChild([c(5, false, 'first'), c(6, false, 'second')])
    expect([none.id, none.ok, none.samplesPerSRuns]).toEqual(['first', false, []])
  })
})
