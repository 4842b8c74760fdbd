/**
 * @internal Replay: run a recorded plan on new inputs and a new key, calling the cached kernels
 * directly — no tracing, no tree walking, no shape rules.
 *
 * One replay for backends of both timings: each step's result is stored as it comes, and when one is a
 * Promise (an asynchronous backend: WebGPU, or webasm's threaded twin) the rest of the plan continues
 * after it resolves. On a synchronous backend no Promise is ever made and the plan runs in one loop.
 *
 * @since 0.2.0
 */
import { type Tensor, fromBuffer, storageOf, type Buffer } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import type { Backend, Later, Timing } from '../backend/Backend.js'
import type { Plan, Ref, Step } from './plan.js'

/** Replay `plan` on backend `be` with the input `leaves` and step `key`. */
export const replay = <R extends Timing, O extends Tree.Tree>(plan: Plan, be: Backend<R>, leaves: ReadonlyArray<Tensor>, key: Key): Later<R, O> => {
  const env: Array<Buffer | undefined> = new Array(plan.slots)
  const bufOf = (r: Ref): Buffer => (r.k === 'in' ? (storageOf(leaves[r.i]) as Buffer) : r.k === 'slot' ? (env[r.i] as Buffer) : (storageOf(r.t) as Buffer))
  const exec = (st: Step): Later<R, Buffer> => {
    if (st.kind === 'random') return storageOf(st.regenerate(key)) as Buffer
    if (st.kind === 'fused') return be.fused(st.expr, st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] })), st.shape)
    return st.def.impl(be, st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] })), st.params, st.spec)
  }
  const finish = (): O => {
    const outs = plan.outs.map((r, i) => (r.k === 'in' ? leaves[r.i] : r.k === 'const' ? r.t : fromBuffer(env[r.i] as Buffer, plan.outMeta[i].shape, plan.outMeta[i].dtype)))
    if (be.recycle !== undefined) be.recycle(deadBuffers(plan, env, leaves, outs))
    return Tree.unflatten<O>(plan.outStructure, outs)
  }
  const from = (first: number): O | Promise<O> => {
    for (let s = first; s < plan.steps.length; s++) {
      const st = plan.steps[s]
      const r: Buffer | Promise<Buffer> = exec(st)
      if (r instanceof Promise) return r.then((b) => ((env[st.out] = b), from(s + 1)))
      env[st.out] = r
    }
    return finish()
  }
  return from(0) as Later<R, O>
}

/** The memory a tensor's storage lives in. */
const memoryOf = (b: Buffer): ArrayBufferLike => b.buffer

/**
 * The buffers of a finished replay that nothing can reach any more: those its steps wrote, except any
 * sharing memory with an output, an input or a constant of the plan (a reshape shares its input's
 * buffer; a cast may return it), and except the results of random steps (regenerated tensors) and of
 * `scan` (whose recorded body, in its parameters, holds tensors of its own). Each buffer once; the
 * backend keeps only those it made itself (`gpujs/recycle.ts`).
 */
export const deadBuffers = (plan: Plan, env: ReadonlyArray<Buffer | undefined>, leaves: ReadonlyArray<Tensor>, outs: ReadonlyArray<Tensor>): Buffer[] => {
  const live = new Set<ArrayBufferLike>()
  for (const t of outs) live.add(memoryOf(storageOf(t) as Buffer))
  for (const t of leaves) live.add(memoryOf(storageOf(t) as Buffer))
  for (const st of plan.steps) if (st.kind !== 'random') for (const r of st.ins) if (r.k === 'const') live.add(memoryOf(storageOf(r.t) as Buffer))
  const dead: Buffer[] = []
  for (const st of plan.steps) {
    const b = env[st.out]
    if (st.kind === 'random' || (st.kind === 'op' && st.def.name === 'scan') || b === undefined || live.has(memoryOf(b))) continue
    live.add(memoryOf(b))
    dead.push(b)
  }
  return dead
}
