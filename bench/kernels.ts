/**
 * `npm run bench:kernels`: per-kernel figures for the gpu.js webasm backend, A/B in one process.
 *
 *   npx tsx bench/kernels.ts [--rounds 3] [--steps 20] [--json] [--profile-only] [--threaded] [--model cnn]
 *
 * 1. Step profile: the bench MLP (784-128-64-10, relu, softmax, Adam, batch 128), or with `--model cnn`
 *    the bench CNN (batch 64), trained with `fit`
 *    (compiled) on a backend whose every kernel call is timed; reports each kernel kind's share of the
 *    step time (single-threaded: the timed backend has no threaded twin; with `--threaded` it has one,
 *    whose large matmuls are timed in wall time to their settlement and tagged ‖).
 * 2. Kernels A/B: the step's heaviest kernels plus matmul 512 and add 2^20, each compiled three times —
 *    gpu.js as shipped (no extension, one matmul output per thread); with tensorfold's code-generator
 *    extensions (contiguous loads, integer locals) on the same kernels; and with the register-blocked
 *    matmul as well (the default) — and timed interleaved, rounds × (median of reps). Each variant's
 *    kernels compile with its own extension switches (they act at compile time). The machine may be
 *    busy: read the ratios (same process, same inputs, interleaved), not the absolute figures. The first
 *    two are checked bit-identical; the blocked matmul sums each row in k order (not 8 interleaved
 *    partial sums), so it is checked against the others within 1e-5·|A||B|.
 *
 * Times are CPU time of this process (`process.cpuUsage`, user + system), not wall time: the kernels
 * run on the main thread, so on a busy machine CPU time still counts only this process's work (cache
 * and memory-bandwidth contention from other processes remain). The step profile's per-call times are
 * the exception: main-thread CPU where Node offers it, else wall time (see `callClock`); the step's
 * line also says how much of its CPU ran on other threads. Nothing here asserts on timings.
 */
import { GPU } from 'gpu.js'
import { readdirSync, readFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'
import * as tf from '../src/index.js'
import { gpujsBackend } from '../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike } from '../src/backend/gpujs/backend.js'
import { setContiguousLoads } from '../src/backend/gpujs/contiguous-loads.js'
import { setIntegerLocals } from '../src/backend/gpujs/integer-locals.js'
import type { Backend, View } from '../src/backend/Backend.js'
import { buildTrainer } from './mlp/tfApi.js'
import { MLP } from './config.js'
import { CNN } from './cnn/common.js'
import { cnnModel } from './cnn/model.js'
import { argValue, hasFlag, median, mulberry32, runMain } from './common.js'

const argv = process.argv.slice(2)
const rounds = Number(argValue(argv, 'rounds') ?? 3)
const steps = Number(argValue(argv, 'steps') ?? 20)
const asJson = hasFlag(argv, 'json')
/** `--profile-only`: the step profile alone, without the kernel A/B */
const profileOnly = hasFlag(argv, 'profile-only')
/**
 * `--threaded`: profile the step as `fit` runs it, with the backend's threaded twin (large matmuls split
 * between the main thread and the worker pool); those calls are timed in wall time to their settlement
 */
const threadedProfile = hasFlag(argv, 'threaded')
/** `--model cnn`: profile the bench CNN's step (batch 64) instead of the MLP's */
const model = argValue(argv, 'model') === 'cnn' ? 'cnn' : 'mlp'

/** CPU milliseconds of this process since `t0` (from `cpuNow()`). */
const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * The per-call clock of the step profile: the main thread's CPU time where Node has
 * `process.threadCpuUsage` (23.9+), else wall time (`performance.now()`, ~0.05 µs a reading). Not
 * `process.cpuUsage`: it costs ~2 µs a reading, and it counts every thread of the process, so V8's
 * garbage-collector helper threads (2.5–3.5 ms of CPU per MLP step) were charged to whichever kernel
 * call was running (docs/performance.md, "Per-call cost of the small kernels").
 */
const threadCpu = (process as unknown as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage
const callClock: { readonly name: string; readonly now: () => number } =
  typeof threadCpu === 'function'
    ? {
        name: 'main-thread CPU',
        now: () => {
          const u = threadCpu.call(process)
          return (u.user + u.system) / 1000
        }
      }
    : { name: 'wall', now: () => performance.now() }

/** CPU ms of this process's threads other than the main one (Linux: /proc; undefined elsewhere). */
const otherThreadsMs = (): number | undefined => {
  try {
    let ticks = 0
    for (const tid of readdirSync('/proc/self/task')) {
      if (Number(tid) === process.pid) continue
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12])
    }
    return ticks * 10 // USER_HZ = 100
  } catch {
    return undefined
  }
}

const rand = mulberry32(7)
const rnd = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1)
const shapeKey = (x: unknown): string => {
  if (x instanceof Float32Array || x instanceof Int32Array || x instanceof Float64Array) return `${x.length}`
  if (typeof x === 'object' && x !== null && 'shape' in x) return `[${(x as View).shape.join(',')}]`
  if (Array.isArray(x)) return `[${x.map(shapeKey).join(',')}]`
  return typeof x === 'object' ? '{..}' : String(x)
}

// ------------------------------------------------------------------ 1. step profile

interface Call {
  readonly method: string
  readonly args: unknown[]
  ms: number
  count: number
  /** each call's time (ms), for the median */
  readonly each: number[]
}

interface Profile {
  readonly calls: Call[]
  /** CPU ms per step, all threads */
  readonly stepMs: number
  /** the step in the per-call clock's terms (wall ms, or main-thread CPU ms) */
  readonly stepClockMs: number
  /** main-thread GC pauses per step (PerformanceObserver 'gc') */
  readonly gcMs: number
  /** CPU ms per step of the other threads (V8's GC helpers), where /proc tells */
  readonly otherMs: number | undefined
}

const profileStep = async (): Promise<Profile> => {
  const base = gpujsBackend('webasm')
  const calls = new Map<string, Call>()
  let recording = false
  const record = (m: string, args: unknown[], dt: number, tag: string): void => {
    if (!recording) return
    const key = `${m}${tag}(${args.filter((a) => typeof a !== 'string').map(shapeKey).join(', ')}${args.some((a) => typeof a === 'string') ? `; ${args.filter((a) => typeof a === 'string').join(',')}` : ''})`
    const c = calls.get(key) ?? { method: m, args, ms: 0, count: 0, each: [] }
    c.ms += dt
    c.count++
    c.each.push(dt)
    calls.set(key, c)
  }
  /** `source`'s methods, each timed; a promise's call is timed in wall time to its settlement (tagged `‖`). */
  const timedOf = (source: Backend | Backend<'async'>): Record<string, unknown> => {
    const timed = { ...source } as Record<string, unknown>
    for (const m of Object.keys(source) as Array<keyof Backend>) {
      const f = source[m]
      if (typeof f !== 'function' || m === 'toFloat') continue
      timed[m] = (...args: unknown[]) => {
        const t0 = callClock.now()
        const w0 = performance.now()
        const r = (f as (...a: unknown[]) => unknown).apply(source, args)
        if (r instanceof Promise) return r.then((v: unknown) => (record(m, args, performance.now() - w0, '‖'), v))
        record(m, args, callClock.now() - t0, '')
        return r
      }
    }
    return timed
  }
  const timed = timedOf(base)
  if (threadedProfile && base.threaded !== undefined) {
    const twin = timedOf(base.threaded)
    twin.syncFallback = timed
    timed.threaded = twin
  } else timed.threaded = undefined
  timed.name = 'webasm'
  const prev = tf.getBackend()
  tf.setBackend(timed as unknown as Backend)
  try {
    const batch = model === 'cnn' ? CNN.batch : MLP.batch
    const n = batch * (steps + 2)
    const x = tf.tensor(rnd(n * 784), model === 'cnn' ? [n, 28, 28, 1] : [n, 784])
    const y = tf.tensor(
      Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)),
      [n, 10]
    )
    const trainer =
      model === 'cnn'
        ? cnnModel().compile({ optimizer: tf.adam({ learningRate: CNN.lr }), loss: 'categorical_crossentropy' })
        : buildTrainer(MLP.dims, false).trainer
    // first epoch: record + warm up; second: timed
    const r1 = await trainer.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 })
    let gc = 0
    const obs = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) gc += e.duration
    })
    obs.observe({ entryTypes: ['gc'] })
    recording = true
    const o0 = otherThreadsMs()
    const c0 = callClock.now()
    const t0 = cpuNow()
    await r1.trainer.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 })
    const stepMs = (cpuNow() - t0) / (steps + 2)
    const stepClockMs = (callClock.now() - c0) / (steps + 2)
    const o1 = otherThreadsMs()
    await new Promise((r) => setImmediate(r)) // let the observer report
    obs.disconnect()
    recording = false
    return {
      calls: [...calls.entries()].map(([k, c]) => ({ ...c, method: k })),
      stepMs,
      stepClockMs,
      gcMs: gc / (steps + 2),
      otherMs: o0 === undefined || o1 === undefined ? undefined : (o1 - o0) / (steps + 2)
    }
  } finally {
    tf.setBackend(prev)
  }
}

// ------------------------------------------------------------------ 2. kernels A/B

interface Variant {
  readonly be: Backend
  readonly ext: boolean
}
/** A backend whose kernels compile with the extensions on or off (`blocked`: register-blocked matmul). */
const fresh = (ext: boolean, blocked: boolean): Variant => ({ be: createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, { blockedMatmul: blocked }), ext })
/** Run on a variant with its extension switches set (kernels compile lazily, on their first call). */
const on = <T>(v: Variant, f: (be: Backend) => T): T => {
  setContiguousLoads(v.ext)
  setIntegerLocals(v.ext)
  try {
    return f(v.be)
  } finally {
    setContiguousLoads(true)
    setIntegerLocals(true)
  }
}

interface Case {
  readonly name: string
  /** flops (GFLOP/s) or bytes (GB/s) per call */
  readonly work: number
  readonly unit: 'GFLOP/s' | 'GB/s'
  readonly run: (be: Backend) => ArrayLike<number>
}

const matmulCase = (batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean): Case => {
  const a = rnd(batch * m * k)
  const b = rnd(batch * k * n)
  return { name: `matmul ${m}x${k}·${k}x${n}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`, work: 2 * batch * m * k * n, unit: 'GFLOP/s', run: (be) => be.matmul(a, b, batch, m, k, n, ta, tb) as ArrayLike<number> }
}

const cases = (): Case[] => {
  const v = (shape: number[]): View => ({ data: rnd(shape.reduce((p, q) => p * q, 1)), shape })
  const x1 = v([1 << 20])
  const x2 = v([1 << 20])
  const h = v([128, 128])
  const bias = v([128])
  const logits = v([128, 10])
  return [
    matmulCase(1, 512, 512, 512, false, false),
    matmulCase(1, 128, 784, 128, false, false),
    matmulCase(1, 784, 128, 128, true, false),
    matmulCase(1, 128, 128, 784, false, true),
    matmulCase(1, 128, 128, 64, false, false),
    { name: 'add 2^20', work: 3 * 4 * (1 << 20), unit: 'GB/s', run: (be) => be.binary('add', x1, x2, [1 << 20]) as ArrayLike<number> },
    {
      name: 'fused relu(x + b) 128x128',
      work: 3 * 4 * 128 * 128,
      unit: 'GB/s',
      run: (be) => be.fused({ k: 'bin', op: 'maximum', a: { k: 'bin', op: 'add', a: { k: 'in', i: 0 }, b: { k: 'in', i: 1 } }, b: { k: 'const', v: 0 } }, [h, bias], [128, 128]) as ArrayLike<number>
    },
    { name: 'sum over batch 128x128 → 128', work: 4 * 128 * 128, unit: 'GB/s', run: (be) => be.reduce('sum', h, [0]) as ArrayLike<number> },
    { name: 'max over classes 128x10 → 128', work: 4 * 128 * 10, unit: 'GB/s', run: (be) => be.reduce('max', logits, [1]) as ArrayLike<number> }
  ]
}

const timeIt = (f: () => unknown, minMs = 60, maxReps = 200): number => {
  f()
  const ts: number[] = []
  const t0 = cpuNow()
  while (ts.length < 5 || (cpuNow() - t0 < minMs && ts.length < maxReps)) {
    const t = cpuNow()
    f()
    ts.push(cpuNow() - t)
  }
  return median(ts)
}

/** Within 1e-5 of the largest magnitude (random operands in [-1, 1]: a loose stand-in for |A||B|). */
const closeTo = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]))
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-5 * (m + 1))) return false
  return a.length === b.length
}

const bitsEqual = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  const x = new Uint32Array(Float32Array.from(a).buffer)
  const y = new Uint32Array(Float32Array.from(b).buffer)
  return x.length === y.length && x.every((u, i) => u === y[i])
}

const main = async (): Promise<void> => {
  const prof = await profileStep()
  const total = prof.calls.reduce((s, c) => s + c.ms, 0) / (steps + 2)
  const byKind = new Map<string, number>()
  const callsOf = new Map<string, number>()
  for (const c of prof.calls) {
    const kind = c.method.replace(/\(.*$/, '')
    byKind.set(kind, (byKind.get(kind) ?? 0) + c.ms / (steps + 2))
    callsOf.set(kind, (callsOf.get(kind) ?? 0) + c.count / (steps + 2))
  }
  const callsPerStep = prof.calls.reduce((s, c) => s + c.count, 0) / (steps + 2)
  const top = [...prof.calls].sort((a, b) => b.ms - a.ms).slice(0, 12)

  const cs = profileOnly ? [] : cases()
  const variants = [fresh(false, false), fresh(true, false), fresh(true, true)]
  const ms = cs.map(() => ({ t: variants.map(() => [] as number[]), same: true, close: true }))
  for (let r = 0; r < rounds; r++)
    cs.forEach((c, i) => {
      variants.forEach((v, j) => ms[i].t[j].push(timeIt(() => on(v, c.run))))
      if (r === 0) {
        const [a, b, d] = variants.map((v) => on(v, c.run))
        ms[i].same = bitsEqual(a, b)
        ms[i].close = bitsEqual(a, d) || closeTo(a, d)
      }
    })
  const rows = cs.map((c, i) => {
    const [a, b, d] = ms[i].t.map(median)
    const rate = (t: number): string => (c.work / t / 1e6).toFixed(2)
    return { kernel: c.name, unit: c.unit, shipped: rate(a), extended: rate(b), blocked: rate(d), ratio: (a / d).toFixed(2), bitIdentical: ms[i].same, agrees: ms[i].close }
  })
  if (asJson) {
    process.stdout.write(JSON.stringify({ stepMs: prof.stepMs, stepClockMs: prof.stepClockMs, callClock: callClock.name, gcMs: prof.gcMs, otherThreadsMs: prof.otherMs, kernelMs: total, callsPerStep, byKind: Object.fromEntries(byKind), callsByKind: Object.fromEntries(callsOf), top: top.map((c) => ({ call: c.method, callsPerStep: c.count / (steps + 2), msPerStep: c.ms / (steps + 2), medianUs: 1000 * median(c.each) })), kernels: rows }) + '\n')
    return
  }
  const out: string[] = []
  out.push(
    model === 'cnn'
      ? `## CNN step profile (conv 16, pool, conv 32, pool, dense 64, dense 10; batch ${CNN.batch}, Adam, compiled fit, ${threadedProfile ? 'webasm with threaded matmuls (‖: wall time to settlement)' : 'single-threaded webasm'}, ${steps + 2} steps)`
      : `## MLP step profile (784-128-64-10, batch ${MLP.batch}, Adam, compiled fit, ${threadedProfile ? 'webasm with threaded matmuls (‖: wall time to settlement)' : 'single-threaded webasm'}, ${steps + 2} steps)`
  )
  out.push('')
  const other = prof.otherMs === undefined ? '' : `, ${prof.otherMs.toFixed(2)} ms of it on other threads (V8's GC helpers)`
  out.push(`step ${prof.stepMs.toFixed(2)} ms CPU (all threads${other}); ${prof.stepClockMs.toFixed(2)} ms ${callClock.name}, of which kernels ${total.toFixed(2)} ms in ${callsPerStep.toFixed(1)} backend calls`)
  out.push(`(per-call clock: ${callClock.name}; shares below are of the step's ${callClock.name} time; main-thread GC pauses ${prof.gcMs.toFixed(2)} ms per step, inside whichever call allocated)`)
  out.push('')
  out.push('| kernel kind | calls/step | ms/step | share of step |')
  out.push('|---|---|---|---|')
  for (const [k, v] of [...byKind.entries()].sort((a, b) => b[1] - a[1])) out.push(`| ${k} | ${(callsOf.get(k) ?? 0).toFixed(1)} | ${v.toFixed(2)} | ${((100 * v) / prof.stepClockMs).toFixed(1)}% |`)
  out.push('')
  // the median call: a GC pause or a preemption lands in a few calls and inflates the mean, not the median
  out.push('| heaviest calls | calls/step | ms/step | share | median µs/call |')
  out.push('|---|---|---|---|---|')
  for (const c of top) out.push(`| \`${c.method}\` | ${(c.count / (steps + 2)).toFixed(1)} | ${(c.ms / (steps + 2)).toFixed(3)} | ${((100 * c.ms) / (steps + 2) / prof.stepClockMs).toFixed(1)}% | ${(1000 * median(c.each)).toFixed(1)} |`)
  out.push('')
  out.push(`## Kernels A/B: gpu.js as shipped vs tensorfold's extensions (${rounds} interleaved rounds, medians)`)
  out.push('')
  out.push('| kernel | unit | shipped | + contiguous loads, integer locals | + blocked matmul (default) | speed-up | bit-identical (2nd) | agrees (3rd) |')
  out.push('|---|---|---|---|---|---|---|---|')
  for (const r of rows) out.push(`| ${r.kernel} | ${r.unit} | ${r.shipped} | ${r.extended} | ${r.blocked} | ${r.ratio}× | ${r.bitIdentical ? 'yes' : 'NO'} | ${r.agrees ? 'yes' : 'NO'} |`)
  process.stdout.write(out.join('\n') + '\n')
}

runMain(main)
