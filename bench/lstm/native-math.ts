/**
 * Kernel A/B of the wasm-native exp and tanh (`src/backend/gpujs/native-math.ts`): the same webasm kernel
 * bodies compiled with gpu.js's `Math.*` imports (extension off) and inline (on), timed interleaved in
 * CPU time (5 rounds, median per call), at the LSTM gates' 4,096 cells and at 2^20.
 *
 *   npx tsx bench/lstm/native-math.ts
 *
 * Nothing here asserts on timings.
 */
import { GPU } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { setNativeMath } from '../../src/backend/gpujs/native-math.js'

gpujsBackend('webasm') // installs the extensions
const cpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const BODIES: ReadonlyArray<readonly [string, string]> = [
  ['exp', 'Math.exp(x[this.thread.x])'],
  ['tanh', 'Math.tanh(x[this.thread.x])'],
  ['stable sigmoid', '(x[this.thread.x] >= 0 ? 1 / (1 + Math.exp(-x[this.thread.x])) : Math.exp(x[this.thread.x]) / (1 + Math.exp(x[this.thread.x])))'],
  ['2 * x', '2 * x[this.thread.x]']
]
type Kernel = (x: Float32Array) => unknown

for (const n of [4096, 1 << 20]) {
  const x = Float32Array.from({ length: n }, () => -6 + 12 * Math.random())
  const kernels: Array<readonly [string, Kernel]> = []
  for (const on of [false, true]) {
    setNativeMath(on)
    for (const [name, body] of BODIES) {
      const k = new GPU({ mode: 'webasm' }).createKernel(`function (x) {\nreturn ${body};\n}`, { output: [n], precision: 'single' }) as unknown as Kernel
      k(x) // compile now, with the switch as set
      kernels.push([`${name} ${on ? 'inline' : 'import'}`, k])
    }
  }
  setNativeMath(true)
  const reps = Math.max(3, Math.round(2e7 / n))
  const times = new Map<string, number[]>()
  for (let round = 0; round < 5; round++)
    for (const [name, k] of kernels) {
      const t = cpu()
      for (let i = 0; i < reps; i++) k(x)
      times.set(name, [...(times.get(name) ?? []), (cpu() - t) / reps])
    }
  for (const [name, ts] of times) {
    const ms = [...ts].sort((a, b) => a - b)[2]
    console.log(`${n} cells, ${name}: ${(ms * 1000).toFixed(1)} µs per call, ${(n / ms / 1e3).toFixed(0)} Melem/s`)
  }
}
process.exit(0)
