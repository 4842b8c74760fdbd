/**
 * Compiled and eager agree bit for bit with gpu.js forwarding at its default (issue #13), which is what
 * users get: elementwise work on at most 16 elements runs as plain loops, not kernels. The rest of the
 * suite runs with `TENSORFOLD_GPUJS_FORWARD=0` (vitest.config.ts); this file unsets it before anything
 * builds a backend. A fused chain computed by the loops once kept float64 intermediates while the same
 * ops one by one store float32, so the first (recording) call of a compiled step differed by an ulp
 * from its replays: the first compiled fit of dropout + Adam from later fits, jit from eager.
 */
import { describe, it, expect, vi } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'

vi.hoisted(() => {
  delete process.env.TENSORFOLD_GPUJS_FORWARD
})

import { tensor, dataSync, ready, getSyncBackend, layers, sequential, Trainer, Tree, jit, key, type Tensor } from '../../src/index.js'
import * as O from '../../src/optimizers/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { makeLoops } from '../../src/backend/loops.js'

const bits = (t: Tree.Tree): number[] => Tree.leaves(t).flatMap((l) => Array.from(dataSync(l as Tensor)))

describe('gpu.js forwarding at its default', () => {
  it('is on: small elementwise ops run as loops (the default, not the test config)', async () => {
    await ready()
    expect(process.env.TENSORFOLD_GPUJS_FORWARD).toBeUndefined()
    const be = getSyncBackend() as Backend & { kernelCount(): number }
    expect(be.name).toBe('webasm')
    const before = be.kernelCount()
    be.unary('exp', { data: new Float32Array([1, 2, 3]), shape: [3] })
    expect(be.kernelCount()).toBe(before)
  })

  it('the loops evaluate a fused chain with each step rounded to float32, as the ops one by one', () => {
    const loops = makeLoops(Float32Array)
    const x = { data: new Float32Array([2 / 7.3, 3 / 7.3, 10 / 7.3]), shape: [3] }
    // (x · 0.9 + 0.1) / 3: in float64 the intermediates keep bits that float32 storage drops
    const fused = loops.fused(
      { k: 'bin', op: 'div', a: { k: 'bin', op: 'add', a: { k: 'bin', op: 'mul', a: { k: 'in', i: 0 }, b: { k: 'const', v: 0.9 } }, b: { k: 'const', v: 0.1 } }, b: { k: 'const', v: 3 } },
      [x],
      [3]
    )
    const c = (v: number) => ({ data: new Float32Array([v]), shape: [] })
    const oneByOne = loops.binary('div', { data: loops.binary('add', { data: loops.binary('mul', x, c(0.9), [3]), shape: [3] }, c(0.1), [3]), shape: [3] }, c(3), [3])
    expect(Array.from(fused)).toEqual(Array.from(oneByOne))
  })

  it('a jitted Adam step replays with a changed learning rate, bit for bit with eager', () => {
    const opt = O.adam({ learningRate: 0.1 })
    const grads = [
      [0.1, -0.3, 0.7, 0.0],
      [-0.2, 0.4, 0.05, -1.2],
      [0.3, 0.3, -0.6, 0.9]
    ]
    const toTree = (v: ReadonlyArray<number>): Tree.Tree => ({ w: tensor(v.slice(1)), b: tensor(v.slice(0, 1)) })
    const step = (inp: { p: Tree.Tree; s: Tree.Tree; g: Tree.Tree }) => {
      const [u, s] = opt.update(inp.g, inp.s, inp.p)
      return { p: O.applyUpdates(inp.p, u), s }
    }
    const js = jit(step)
    const p0 = toTree([0.5, -1.5, 2.0, 0.25])
    let a = { p: p0, s: opt.init(p0) as Tree.Tree }
    let b = a
    for (let i = 0; i < 3; i++) {
      if (i === 2) {
        a = { ...a, s: E.getOrElseW(() => a.s)(O.setLearningRate(a.s, 0.01)) }
        b = { ...b, s: E.getOrElseW(() => b.s)(O.setLearningRate(b.s, 0.01)) }
      }
      a = step({ ...a, g: toTree(grads[i]) })
      b = js({ ...b, g: toTree(grads[i]) }, key(0))
      expect(bits(b.p)).toEqual(bits(a.p))
    }
    expect(js.stats().replays).toBe(2)
  })

  it('dropout + Adam: the first compiled fit equals later fits (same seed), and the fold law holds bit for bit', async () => {
    const xs: number[][] = []
    const ys: number[][] = []
    for (let i = 0; i < 16; i++) {
      xs.push([Math.sin(i), Math.cos(i * 1.3), (i % 5) / 5])
      ys.push([Math.sin(i * 0.7)])
    }
    const model = sequential([layers.dense(8, { inputShape: [3], activation: 'relu' }), layers.dropout(0.5), layers.dense(1)], { seed: 1 })
    const compiled = Trainer.compile(model, { optimizer: 'adam', loss: 'mse', seed: 3 })
    if (E.isLeft(compiled)) throw new Error(compiled.left.message)
    const fit = async (t: Trainer, x: number[][], y: number[][]) => {
      const r = await Trainer.fit(t, tensor(x), tensor(y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 })()
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right.trainer
    }
    const first = await fit(compiled.right, xs, ys)
    const second = await fit(compiled.right, xs, ys)
    expect(bits(first.params)).toEqual(bits(second.params))
    // fold law: the first 8 rows, then the last 8, equal all 16 at once
    const halves = await fit(await fit(compiled.right, xs.slice(0, 8), ys.slice(0, 8)), xs.slice(8), ys.slice(8))
    expect(bits(halves.params)).toEqual(bits(first.params))
  })
})
