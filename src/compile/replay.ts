/**
 * @internal Replay: run a recorded plan on new inputs and a new key, calling the cached kernels
 * directly — no tracing, no tree walking, no shape rules.
 *
 * One replay for backends of both timings: each step's result is stored as it comes, and when one is a
 * Promise (an asynchronous backend: WebGPU, or webasm's threaded twin) the rest of the plan continues
 * after it resolves. On a synchronous backend no Promise is ever made and the plan runs in one loop.
 * A deferred result (`backend/deferred.ts`: a product the threads are computing) is not awaited: the
 * steps after it run, and the first that reads it joins it (so do the outputs, at the end).
 *
 * @since 0.2.0
 */
import { type Tensor, fromBuffer, storageOf, type Buffer } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { isDeferred, type Deferred } from '../backend/deferred.js'
import type { Key } from '../core/Key.js'
import type { Backend, Expr, Later, Timing } from '../backend/Backend.js'
import type { FusedStep, Plan, Ref, Step } from './plan.js'

const groupExprs = new WeakMap<FusedStep, ReadonlyArray<Expr>>()
/** A step's expressions, first and more, as one frozen array made once (the backend may key its kernel on it). */
const exprsOf = (st: FusedStep, more: NonNullable<FusedStep['more']>): ReadonlyArray<Expr> => {
  const kept = groupExprs.get(st)
  if (kept !== undefined) return kept
  const exprs = Object.freeze([st.expr, ...more.map((m) => m.expr)])
  groupExprs.set(st, exprs)
  return exprs
}

/** Replay `plan` on backend `be` with the input `leaves` and step `key`. */
export const replay = <R extends Timing, O extends Tree.Tree>(plan: Plan, be: Backend<R>, leaves: ReadonlyArray<Tensor>, key: Key): Later<R, O> => {
  const env: Array<Buffer | undefined> = new Array(plan.slots)
  /** slots whose deferred results no step has read yet */
  let pending: Map<number, Deferred<unknown>> | undefined
  const join = (i: number): Buffer => {
    const d = pending?.get(i)
    if (d === undefined) return env[i] as Buffer
    ;(pending as Map<number, Deferred<unknown>>).delete(i)
    return (env[i] = d.join() as Buffer)
  }
  const bufOf = (r: Ref): Buffer => (r.k === 'in' ? (storageOf(leaves[r.i]) as Buffer) : r.k === 'slot' ? (env[r.i] ?? join(r.i)) : (storageOf(r.t) as Buffer))
  const exec = (st: Step): Later<R, Buffer | ReadonlyArray<Buffer>> => {
    if (st.kind === 'random') return storageOf(st.regenerate(key)) as Buffer
    if (st.kind === 'fused') {
      const views = st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] }))
      if (st.more === undefined) return be.fused(st.expr, views, st.shape)
      const exprs = exprsOf(st, st.more)
      if (be.fusedMany !== undefined) return be.fusedMany(exprs, views, st.shape)
      // a backend of one expression per kernel: each on its own, sharing nothing
      const each: Array<Buffer | Promise<Buffer>> = exprs.map((e) => be.fused(e, views, st.shape))
      return (each.some((r) => r instanceof Promise) ? Promise.all(each) : each) as Later<R, ReadonlyArray<Buffer>>
    }
    return st.def.impl(be, st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] })), st.params, st.spec)
  }
  const store = (st: Step, r: Buffer | ReadonlyArray<Buffer>): void => {
    if (st.kind !== 'fused' || st.more === undefined) {
      env[st.out] = r as Buffer
      return
    }
    const rs = r as ReadonlyArray<Buffer>
    env[st.out] = rs[0]
    for (let k = 0; k < st.more.length; k++) env[st.more[k].out] = rs[k + 1]
  }
  const finish = (): O => {
    if (pending !== undefined) for (const i of [...pending.keys()]) join(i)
    const outs = plan.outs.map((r, i) => (r.k === 'in' ? leaves[r.i] : r.k === 'const' ? r.t : fromBuffer(env[r.i] as Buffer, plan.outMeta[i].shape, plan.outMeta[i].dtype)))
    if (be.recycle !== undefined) be.recycle(deadBuffers(plan, env, leaves, outs))
    return Tree.unflatten<O>(plan.outStructure, outs)
  }
  const from = (first: number): O | Promise<O> => {
    for (let s = first; s < plan.steps.length; s++) {
      const st = plan.steps[s]
      const r: Buffer | ReadonlyArray<Buffer> | Promise<Buffer | ReadonlyArray<Buffer>> = exec(st)
      if (isDeferred(r) && st.kind === 'op') {
        ;(pending ??= new Map()).set(st.out, r)
        continue
      }
      if (r instanceof Promise) return r.then((b) => (store(st, b), from(s + 1)))
      store(st, r)
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
  const take = (o: number): void => {
    const b = env[o]
    if (b === undefined || live.has(memoryOf(b))) return
    live.add(memoryOf(b))
    dead.push(b)
  }
  for (const st of plan.steps) {
    if (st.kind === 'random' || (st.kind === 'op' && st.def.name === 'scan')) continue
    take(st.out)
    if (st.kind === 'fused' && st.more !== undefined) for (const m of st.more) take(m.out)
  }
  return dead
}
