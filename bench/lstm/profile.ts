/**
 * Per-backend-method profile of one compiled LSTM training step (the LSTM case's model and data:
 * LSTM(64) over 50 steps of 8 features, dense(1, sigmoid), Adam, batch 64), in CPU time.
 *
 *   npx tsx bench/lstm/profile.ts [--batches 6]
 *
 * One epoch records and warms up; the next `--batches` steps run on a webasm backend whose every method
 * call is counted and timed (`process.cpuUsage`, single-threaded: the timed backend has no threaded
 * twin). Prints the step's CPU time, the time inside backend calls, calls per step by method, and the
 * heaviest calls. Nothing here asserts on timings.
 */
import * as tf from '../../src/index.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend, View } from '../../src/backend/Backend.js'
import { argValue, runMain } from '../common.js'
import { LSTM, seqData } from './common.js'

const batches = Number(argValue(process.argv.slice(2), 'batches') ?? 6)
const cpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const shapeKey = (x: unknown): string =>
  typeof x === 'object' && x !== null && 'shape' in x
    ? `[${(x as View).shape.join(',')}]`
    : Array.isArray(x)
      ? `[${x.map(shapeKey).join(' ')}]`
      : x instanceof Float32Array || x instanceof Int32Array
        ? `#${x.length}`
        : typeof x === 'object'
          ? '{..}'
          : String(x)

const main = async (): Promise<void> => {
  const base = gpujsBackend('webasm')
  const calls = new Map<string, { n: number; ms: number }>()
  let on = false
  const timed = { ...base } as Record<string, unknown>
  for (const [m, f] of Object.entries(base)) {
    if (typeof f !== 'function' || m === 'toFloat') continue
    timed[m] = (...a: unknown[]) => {
      const t = cpu()
      const r = (f as (...a: unknown[]) => unknown).apply(base, a)
      const d = cpu() - t
      if (on) {
        const k = `${m}(${a.map(shapeKey).join(' ')})`
        const c = calls.get(k) ?? { n: 0, ms: 0 }
        c.n++
        c.ms += d
        calls.set(k, c)
      }
      return r
    }
  }
  timed.threaded = undefined
  tf.setBackend(timed as unknown as Backend)
  const { T, F, units, batch } = LSTM
  const n = batch * batches
  const d = seqData(n, 1)
  const x = tf.tensor(d.x, [n, T, F])
  const y = tf.tensor(d.y, [n, 1])
  const model = tf.sequential([tf.layers.lstm(units, { inputShape: [T, F] }), tf.layers.dense(1, { activation: 'sigmoid' })])
  const trainer = model.compile({ optimizer: tf.adam({ learningRate: LSTM.lr, epsilon: LSTM.eps }), loss: 'binaryCrossentropy', runEagerly: false })
  const r1 = await trainer.fit(x, y, { batchSize: batch, epochs: 1, verbose: 0 })
  on = true
  const t0 = cpu()
  await r1.trainer.fit(x, y, { batchSize: batch, epochs: 1, verbose: 0 })
  const step = (cpu() - t0) / batches
  const all = [...calls.values()]
  const per = (v: number): string => (v / batches).toFixed(2)
  const out: string[] = []
  out.push(`step ${per(step * batches)} ms CPU, of which backend calls ${per(all.reduce((s, c) => s + c.ms, 0))} ms; ${per(all.reduce((s, c) => s + c.n, 0))} calls per step`)
  const kinds = new Map<string, { n: number; ms: number }>()
  for (const [k, c] of calls) {
    const m = k.replace(/\(.*/, '')
    const e = kinds.get(m) ?? { n: 0, ms: 0 }
    e.n += c.n
    e.ms += c.ms
    kinds.set(m, e)
  }
  out.push('', '| method | calls/step | ms/step |', '|---|---|---|')
  for (const [k, c] of [...kinds].sort((a, b) => b[1].ms - a[1].ms)) out.push(`| ${k} | ${per(c.n)} | ${per(c.ms)} |`)
  out.push('', '| heaviest calls | calls/step | ms/step |', '|---|---|---|')
  for (const [k, c] of [...calls].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) out.push(`| \`${k.slice(0, 120)}\` | ${per(c.n)} | ${per(c.ms)} |`)
  process.stdout.write(out.join('\n') + '\n')
}

runMain(main)
