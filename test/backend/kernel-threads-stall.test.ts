import { describe, it, expect } from 'vitest'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { kernelThreadStats, kernelThreadsAvailable, stallForTest } from '../../src/backend/gpujs/kernel-threads.js'
import { bits, rnd } from './kernel-cases.js'
import { aloneBits } from './threaded-kernels.js'

// its own file: the stall stops this module's threads for good
const be = gpujsBackend('webasm')
const threaded = be.threaded as Backend<'async'>

describe('a kernel thread that stalls mid-chunk', () => {
  it('has its unfinished chunks computed by the caller, with the same bits; the threads are then stopped', async () => {
    const [m, k, n] = [512, 512, 512]
    const a = rnd(m * k)
    const b = rnd(k * n)
    const want = aloneBits(be, a, b, m, k, n, false, false)
    // activate the threaded module (through gpu.js), then one shared call so the threads hold it
    await threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, false, false)
    await threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, false, false)
    expect(kernelThreadsAvailable()).toBe(true)
    const stalls = kernelThreadStats.stalls
    // each thread sleeps 600 ms after its next claim; the caller gives up on it after 100 ms
    stallForTest(600, 100)
    // fresh operands each try, so a chunk nobody computed cannot hold the right values from before
    for (let i = 0; i < 3 && kernelThreadStats.stalls === stalls; i++) {
      const c = rnd(m * k)
      const wantC = aloneBits(be, c, b, m, k, n, false, false)
      expect(bits((await threaded.matmul(c, b, 1, m, k, n, false, false)) as Float32Array)).toEqual(wantC)
    }
    expect(kernelThreadStats.stalls).toBe(stalls + 1)
    expect(kernelThreadsAvailable()).toBe(false)
    // later products run without the threads, with the same bits
    expect(bits((await threaded.matmul(a, b, 1, m, k, n, false, false)) as Float32Array)).toEqual(want)
    expect(bits(be.matmul(a, b, 1, m, k, n, false, false) as Float32Array)).toEqual(want)
  })
})
