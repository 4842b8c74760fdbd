/**
 * The pure part of bench/run.ts's report: summaries of the op children, the ops table, the ops ratios,
 * and the per-child record of the machine's load. No I/O here (bench/run.ts samples the load and
 * /proc/stat and passes the figures in), so test/bench/report.test.ts can check the formatting.
 *
 * Laws: every figure in the ops table is "median (best)": the median over processes of each process's
 * median run, then the fastest single run of any process. Ratios are computed from the medians only;
 * the best runs are shown so that a run stretched by other work on the machine can be read beside the
 * undisturbed one (docs/performance.md, "The threaded figure").
 */
import { median, r } from './common.js'
import type { OpsLib } from './config.js'

export type Json = Record<string, unknown>
/** One child's `BENCH_JSON` object as bench/run.ts collects it (plus `childWallS` and `host`). */
export interface ChildResult extends Json {
  ok: boolean
  error?: string
}

/** A figure over processes: the median of the per-process medians, and the best run of any process. */
export interface MedianBest {
  readonly median: number | null
  readonly best: number | null
}

export interface OpsSummary {
  lib: OpsLib
  name: string
  ok: boolean
  error?: string
  processes: number
  matmulGflops: Record<string, number | null>
  /** the fastest run of any process (`bestGflops`), GFLOP/s */
  matmulBestGflops: Record<string, number | null>
  /** 512 only: median over processes of the runs after the first calls (bench/ops.ts `steadyGflops`) */
  matmul512SteadyGflops: number | null
  /** tensorfold-webasm only: through jit(f).async (shared worker pool) */
  matmulThreadedGflops: Record<string, number | null>
  matmulThreadedBestGflops: Record<string, number | null>
  cpuPerWall: number | null
  addMs: number | null
  addGBs: number | null
  addBestGBs: number | null
  /** median over processes of the runs from the 55th call on (bench/ops.ts `STEADY_WARM`) */
  addSteadyGBs: number | null
  expMs: number | null
  expMelemS: number | null
  expBestMelemS: number | null
  tinyUs: Record<string, number>
}

export const num = (u: unknown): number | undefined => (typeof u === 'number' && Number.isFinite(u) ? u : undefined)
export const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((a, k) => (a !== null && typeof a === 'object' ? (a as Json)[k] : undefined), o)
const finite = (xs: ReadonlyArray<unknown>): number[] => xs.map(num).filter((x): x is number => x !== undefined)
const medOf = (xs: ReadonlyArray<unknown>, d = 3): number | null => {
  const v = finite(xs)
  return v.length === 0 ? null : r(median(v), d)
}
const maxOf = (xs: ReadonlyArray<unknown>, d = 3): number | null => {
  const v = finite(xs)
  return v.length === 0 ? null : r(Math.max(...v), d)
}

const SIZES = ['128', '256', '512', '1024']

/**
 * One library's op figures over its child processes (failed ones left out): medians of the per-process
 * medians, and the best of the per-process fastest runs (`bestGflops`, `bestGbPerS`, `bestMelemPerS`).
 *
 * @example summarizeOps('jax-wasm', [{ ok: true, matmul: { 512: { gflops: 16, bestGflops: 20 } } }]).matmulBestGflops['512'] // 20
 */
export const summarizeOps = (lib: OpsLib, runs: ReadonlyArray<ChildResult>): OpsSummary => {
  const ok = runs.filter((x) => x.ok)
  const tinyKeys = [...new Set(ok.flatMap((x) => Object.keys((x.tinyUs as Json | undefined) ?? {})))]
  const per = (f: (xs: ReadonlyArray<unknown>) => number | null, ...keys: string[]) => f(ok.map((x) => get(x, ...keys)))
  const bySize = (f: (xs: ReadonlyArray<unknown>) => number | null, op: string, field: string) => Object.fromEntries(SIZES.map((n) => [n, per(f, op, n, field)]))
  return {
    lib,
    name: String(ok[0]?.name ?? lib),
    ok: ok.length > 0,
    ...(ok.length === 0 ? { error: String(runs[0]?.error ?? 'not run') } : {}),
    processes: ok.length,
    matmulGflops: bySize(medOf, 'matmul', 'gflops'),
    matmulBestGflops: bySize(maxOf, 'matmul', 'bestGflops'),
    matmul512SteadyGflops: per(medOf, 'matmul', '512', 'steadyGflops'),
    matmulThreadedGflops: bySize(medOf, 'matmulThreaded', 'gflops'),
    matmulThreadedBestGflops: bySize(maxOf, 'matmulThreaded', 'bestGflops'),
    cpuPerWall: medOf(ok.map((x) => x.cpuPerWall), 2),
    addMs: per(medOf, 'elementwise', 'add', 'ms'),
    addGBs: per((xs) => medOf(xs, 2), 'elementwise', 'add', 'gbPerS'),
    addBestGBs: per((xs) => maxOf(xs, 2), 'elementwise', 'add', 'bestGbPerS'),
    addSteadyGBs: per((xs) => medOf(xs, 2), 'elementwise', 'add', 'steadyGbPerS'),
    expMs: per(medOf, 'elementwise', 'exp', 'ms'),
    expMelemS: per((xs) => medOf(xs, 1), 'elementwise', 'exp', 'melemPerS'),
    expBestMelemS: per((xs) => maxOf(xs, 1), 'elementwise', 'exp', 'bestMelemPerS'),
    tinyUs: Object.fromEntries(tinyKeys.map((k) => [k, medOf(ok.map((x) => get(x, 'tinyUs', k, 'us')), 2) ?? NaN]))
  }
}

/** A figure for a table: '–' when missing, no decimals from 100 up, else `d` decimals. */
export const fmt = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(d))
/** "median (best)", e.g. `16.80 (24.10)`. */
export const fmtMedianBest = (median: number | null | undefined, best: number | null | undefined, d = 2): string => `${fmt(median, d)} (${fmt(best, d)})`
/** `a / b`, rounded; null when either is missing or `b` is not positive. */
export const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || !(b > 0) || !Number.isFinite(a) ? null : r(a / b, 3)
export const fmtRatio = (x: number | null): string => (x === null ? '–' : x >= 10 ? `${x.toFixed(0)}×` : x >= 1 ? `${x.toFixed(2)}×` : `${x.toFixed(3)}×`)

/** The ops table's header: every throughput column is "median (best)". */
export const OPS_HEADER =
  '| library | matmul GFLOP/s, median (best): 128 | 256 | 512 | 1024 | threaded 512 | threaded 1024 | 512 after its first calls | add 1e6 GB/s, median (best) | add 1e6 GB/s from call 55, median | exp 1e6 Melem/s, median (best) | tiny add µs | tiny add + read µs | jit tiny add + read µs | CPU/wall |'

/** The ops section's markdown table, one row per library. */
export const opsTable = (s: ReadonlyArray<OpsSummary>): string => {
  const rows = [OPS_HEADER, '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
  for (const o of s) {
    if (!o.ok) {
      rows.push(`| ${o.lib} | failed: ${(o.error ?? '').slice(0, 120)} ||||||||||||||`)
      continue
    }
    const mm = (n: string) => fmtMedianBest(o.matmulGflops[n], o.matmulBestGflops[n])
    const th = (n: string) => fmtMedianBest(o.matmulThreadedGflops[n], o.matmulThreadedBestGflops[n])
    rows.push(
      `| ${o.lib} | ${SIZES.map(mm).join(' | ')} | ${th('512')} | ${th('1024')} | ${fmt(o.matmul512SteadyGflops)} | ${fmtMedianBest(o.addGBs, o.addBestGBs)} | ${fmt(o.addSteadyGBs)} | ${fmtMedianBest(o.expMelemS, o.expBestMelemS, 1)} | ${o.lib === 'jax-wasm' ? `(lazy) ${fmt(o.tinyUs.op)}` : fmt(o.tinyUs.op)} | ${fmt(o.tinyUs.opRead)} | ${fmt(o.tinyUs.jitOpRead)} | ${fmt(o.cpuPerWall)} |`
    )
  }
  return rows.join('\n')
}

/** The ops columns of the ratio table (tensorfold-webasm ÷ peer, > 1 = tensorfold faster). */
export interface OpsRatios {
  readonly matmul512: number | null
  readonly matmul512Threaded: number | null
  readonly matmul1024: number | null
  readonly add: number | null
  readonly exp: number | null
  readonly tinyAddRead: number | null
}

/**
 * tensorfold's op speed over a peer's, from the medians only (never the best runs): GFLOP/s over
 * GFLOP/s, and the peer's ms per call over tensorfold's.
 *
 * @example opsRatios(tfw, peer).matmul512 // tfw.matmulGflops['512'] / peer.matmulGflops['512']
 */
export const opsRatios = (tfw: OpsSummary | undefined, o: OpsSummary | undefined): OpsRatios => ({
  matmul512: ratio(tfw?.matmulGflops['512'], o?.matmulGflops['512']),
  matmul512Threaded: ratio(tfw?.matmulThreadedGflops['512'], o?.matmulGflops['512']),
  matmul1024: ratio(tfw?.matmulGflops['1024'], o?.matmulGflops['1024']),
  add: ratio(o?.addMs, tfw?.addMs),
  exp: ratio(o?.expMs, tfw?.expMs),
  tinyAddRead: ratio(o?.tinyUs.opRead, tfw?.tinyUs.opRead)
})

// ---------------------------------------------------------------------------------------------------
// the machine's load, per child

/** Cumulative CPU time of the whole machine, in seconds (from /proc/stat's first line). */
export interface CpuTimes {
  /** user + nice + system + irq + softirq */
  readonly busyS: number
  /** time the hypervisor gave to others while this machine wanted to run */
  readonly stealS: number
}

/**
 * The `cpu` line of /proc/stat (`user nice system idle iowait irq softirq steal …`, in clock ticks),
 * as seconds; undefined when the text has no such line.
 *
 * @example parseProcStat('cpu  100 0 50 900 0 0 10 5 0 0\n', 100) // { busyS: 1.6, stealS: 0.05 }
 */
export const parseProcStat = (text: string, ticksPerS: number): CpuTimes | undefined => {
  const m = /^cpu\s+(.*)$/m.exec(text)
  if (m === null) return undefined
  const [user, nice, system, , , irq, softirq, steal] = m[1].trim().split(/\s+/).map(Number)
  const busy = user + nice + system + (irq ?? 0) + (softirq ?? 0)
  return Number.isFinite(busy) ? { busyS: busy / ticksPerS, stealS: (Number.isFinite(steal) ? steal : 0) / ticksPerS } : undefined
}

/** What bench/run.ts records about the machine around one child (stored as the child's `host`). */
export interface HostRecord {
  /** 1-minute load average just before the spawn and just after the exit */
  readonly load1Before: number
  readonly load1After: number
  /** cores' worth of CPU the whole machine used during the child (null where /proc/stat is absent) */
  readonly busyCores: number | null
  /** the same less the child's own CPU time: other processes (null when either is unknown) */
  readonly otherCores: number | null
  /** cores' worth of CPU time the hypervisor kept from this machine during the child */
  readonly stealCores: number | null
}

/**
 * The host record of one child from the samples taken around it; `childCpuS` is the CPU time the child
 * reports for itself (`processCpuS`), undefined when it printed no result.
 *
 * @example hostRecord({ load1: 1.1, cpu: { busyS: 10, stealS: 0 } }, { load1: 1.3, cpu: { busyS: 14, stealS: 0 } }, 4, 3).otherCores // 1 − 3/4 = 0.25
 */
export const hostRecord = (
  before: { readonly load1: number; readonly cpu: CpuTimes | undefined },
  after: { readonly load1: number; readonly cpu: CpuTimes | undefined },
  wallS: number,
  childCpuS: number | undefined
): HostRecord => {
  const cores = (f: (c: CpuTimes) => number): number | null =>
    before.cpu === undefined || after.cpu === undefined || !(wallS > 0) ? null : r((f(after.cpu) - f(before.cpu)) / wallS, 2)
  const busyCores = cores((c) => c.busyS)
  return {
    load1Before: r(before.load1, 2),
    load1After: r(after.load1, 2),
    busyCores,
    otherCores: busyCores === null || childCpuS === undefined ? null : r(Math.max(0, busyCores - childCpuS / wallS), 2),
    stealCores: cores((c) => c.stealS)
  }
}

/** One child as the load table lists it, in the order the children ran. */
export interface LoadRow {
  readonly label: string
  readonly res: ChildResult
}

/** Above this 1-minute load average at a child's start, something else was running (with 2 cores). */
export const LOAD_WARN = 1.5
/** Above this many cores of other processes' CPU during a child, its figures were contended. */
export const OTHER_WARN = 0.25

const hostOf = (res: ChildResult): HostRecord | undefined => res.host as HostRecord | undefined

/**
 * One warning line per child that started at a load above {@link LOAD_WARN} or ran beside more than
 * {@link OTHER_WARN} cores of other processes' work; empty on a quiet run.
 *
 * @example loadWarnings([{ label: 'ops tfjs-cpu', res: { ok: true, host: { load1Before: 2, load1After: 2, busyCores: 1, otherCores: 0, stealCores: 0 } } }]) // ['ops tfjs-cpu: load 2.00 at its start (> 1.5)']
 */
export const loadWarnings = (rows: ReadonlyArray<LoadRow>): string[] =>
  rows.flatMap(({ label, res }) => {
    const h = hostOf(res)
    if (h === undefined) return []
    const why = [
      ...(h.load1Before > LOAD_WARN ? [`load ${h.load1Before.toFixed(2)} at its start (> ${LOAD_WARN})`] : []),
      ...(h.otherCores !== null && h.otherCores > OTHER_WARN ? [`other processes used ${h.otherCores.toFixed(2)} of a core during it (> ${OTHER_WARN})`] : [])
    ]
    return why.length === 0 ? [] : [`${label}: ${why.join('; ')}`]
  })

/** The "Load per child" section's table: one row per child, in the order they ran. */
export const loadTable = (rows: ReadonlyArray<LoadRow>): string =>
  [
    '| child | load (1 min) before → after | machine CPU, cores | other processes, cores | steal, cores | child CPU/wall | wall s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(({ label, res }) => {
      const h = hostOf(res)
      const flag = loadWarnings([{ label, res }]).length > 0 ? ' ⚠' : ''
      return `| ${label}${flag} | ${h === undefined ? '–' : `${fmt(h.load1Before)} → ${fmt(h.load1After)}`} | ${fmt(h?.busyCores)} | ${fmt(h?.otherCores)} | ${fmt(h?.stealCores)} | ${fmt(num(res.cpuPerWall))} | ${fmt(num(res.childWallS), 1)} |`
    })
  ].join('\n')

/**
 * One MLP configuration's children (rounds of the same command): the child whose samples/s is the
 * median of the ones that ran (the lower middle for an even count), with every child's figure in
 * `samplesPerSRuns` (run order). A configuration none of whose children ran answers its first child.
 *
 * @example medianChild([{ ok: true, samplesPerS: 3 }, { ok: true, samplesPerS: 1 }, { ok: true, samplesPerS: 2 }]).samplesPerS // 2
 */
export const medianChild = (runs: ReadonlyArray<ChildResult>): ChildResult & { samplesPerSRuns: number[] } => {
  const ok = runs.filter((x) => x.ok && num(x.samplesPerS) !== undefined)
  const all = ok.map((x) => num(x.samplesPerS) as number)
  if (ok.length === 0) return { ...runs[0], samplesPerSRuns: [] }
  const sorted = [...ok].sort((a, b) => (num(a.samplesPerS) as number) - (num(b.samplesPerS) as number))
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], samplesPerSRuns: all }
}
