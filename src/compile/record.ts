/**
 * @internal Recording: run a function once, eagerly, under a scoped recorder, and write every concrete
 * primitive execution (forward, backward — the AD sweep binds primitives too — and optimizer update
 * alike) and every random draw into a flat {@link Plan}.
 *
 * - inputs are matched by identity to the tensors `f` received; anything else `f` used (scalars, ones
 *   for the seed cotangent, zeros) is an immutable constant captured as it was;
 * - random tensors drawn from keys derived from the step key are recorded with a way to draw them again
 *   from a new key along the same derivation path (`split`/`foldIn`);
 * - if `f` reads a recorded tensor back to the host (`dataSync`, `item`, …) its control flow may depend
 *   on data: the recording is `impure` and the caller runs that signature eagerly.
 *
 * @since 0.2.0
 */
import { type Tensor, fromBuffer, storageOf, isTensor, placeholderReadCount, type Buffer } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { type Key, markRoot } from '../core/Key.js'
import { withRecorder } from '../core/recorder.js'
import type { PrimitiveDef } from '../primitives/bind.js'
import { getBackend } from '../backend/index.js'
import type { Plan, Ref, Step } from './plan.js'

/** Whether `keys` are in `Array.prototype.sort`'s order (UTF-16 code units). */
const inOrder = (keys: ReadonlyArray<string>): boolean => {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false
  return true
}
/** Records' keys in sorted order, by the JSON of their own order (a compiled call meets the same few records every step). */
const sorted = new Map<string, ReadonlyArray<string>>()
const sortedKeys = (own: ReadonlyArray<string>, json: string): ReadonlyArray<string> => {
  const hit = sorted.get(json)
  if (hit !== undefined) return hit
  const keys = inOrder(own) ? own : own.slice().sort()
  if (sorted.size >= 1024) sorted.clear()
  sorted.set(json, keys)
  return keys
}

/**
 * The leaves of a tree (in `Tree.leaves` order) and a cache key of its signature, in one walk: two trees
 * get the same key exactly when they have the same structure (`Tree.structure`, record keys in the
 * same own order), dtypes and shapes — test/compile/signature.test.ts checks this against the JSON of
 * the structure plus the shapes. A compiled call computes it on every call, so it
 * builds no structure object and no JSON of one. A value that is not a tree throws `Tree.leaves`'s error.
 */
export const leavesAndKey = (tree: Tree.Tree): { readonly leaves: Tensor[]; readonly key: string } => {
  const leaves: Tensor[] = []
  let key = ''
  const go = (t: Tree.Tree): void => {
    if (isTensor(t)) {
      leaves.push(t)
      key += `${t.dtype}${t.shape.join('x')};`
    } else if (Array.isArray(t)) {
      key += '['
      for (const x of t as ReadonlyArray<Tree.Tree>) go(x)
      key += ']'
    } else if (Tree.isRecord(t)) {
      const own = Object.keys(t)
      // the own order matters (a rebuilt record lists its keys in it), so it is part of the key
      const json = JSON.stringify(own)
      key += `{${json}`
      for (const k of sortedKeys(own, json)) go(t[k] as Tree.Tree)
      key += '}'
    } else Tree.leaves(tree)
  }
  go(tree)
  return { leaves, key }
}

/** What a recording gives: `f`'s result, and its plan (or `impure`). Steps are as executed (not pruned or fused). */
export interface Recording<O> {
  readonly result: O
  readonly plan: Plan | 'impure'
}

/** Run `f(inputs, key)` eagerly and record it. */
export const record = <I extends Tree.Tree, O extends Tree.Tree>(f: (inputs: I, key: Key) => O, inputs0: I, key: Key): Recording<O> => recordWith(f, inputs0, key, false)

/**
 * Record `f(inputs, key)` with shapes only: every primitive runs its shape rule (so shape errors and
 * resource limits surface as in an eager call) but no kernel, and its result holds placeholder storage.
 * The plan is the one {@link record} would make; the caller replays it for the values. No kernel is
 * built for the unfused steps and no memory is touched for their results, which is most of a compiled
 * function's first call (the bench CNN's training step: 148 kernels built by its second step when the
 * first ran eagerly, 83 now).
 *
 * Undefined when the function cannot be recorded this way, and the caller records it with values:
 * when `f` reads a computed value back to the host (its control flow may depend on data, or it prints
 * it), or when it throws (the error may come from acting on placeholder values; the recording with values
 * throws the real one, if any).
 */
export const recordShapes = <I extends Tree.Tree, O extends Tree.Tree>(f: (inputs: I, key: Key) => O, inputs0: I, key: Key): Plan | undefined => {
  const reads = placeholderReadCount()
  let rec: Recording<O>
  try {
    rec = recordWith(f, inputs0, key, true)
  } catch {
    return undefined
  }
  // a refused read that `f` caught and went on from still invalidates the recording
  return rec.plan === 'impure' || placeholderReadCount() !== reads ? undefined : rec.plan
}

/**
 * Run `f` with shapes only, as {@link recordShapes} records: every primitive checks its shapes and
 * resource limits but runs no kernel, and its result holds placeholder storage, so no kernel is built and
 * no memory touched. For a caller that needs only the shapes of what `f` gives (the dry run that checks a
 * model and its losses on one sample before `fit`, `evaluate` or `predict`).
 *
 * Undefined when `f` threw or read a computed value back to the host (it may depend on values: the caller
 * runs it with values, which gives the real result or the real error).
 */
export const runShapesOnly = <A>(f: () => A): A | undefined => {
  const reads = placeholderReadCount()
  let out: A
  try {
    out = withRecorder({ shapesOnly: true }, f)
  } catch {
    return undefined
  }
  return placeholderReadCount() !== reads ? undefined : out
}

const recordWith = <I extends Tree.Tree, O extends Tree.Tree>(f: (inputs: I, key: Key) => O, inputs0: I, key: Key, shapesOnly: boolean): Recording<O> => {
  // fresh wrappers give every input position its own identity, even when the caller passes one
  // tensor in two places (a replay may receive two different tensors there)
  const leaves = Tree.leaves(inputs0).map((l) => fromBuffer(storageOf(l) as Buffer, l.shape, l.dtype))
  const inputs = Tree.unflatten<I>(Tree.structure(inputs0), leaves)
  const refs = new Map<Tensor, Ref>()
  leaves.forEach((l, i) => refs.set(l, { k: 'in', i }))
  const steps: Step[] = []
  let slots = 0
  let impure = false
  const refOf = (t: Tensor): Ref => refs.get(t) ?? { k: 'const', t }
  const result = withRecorder(
    {
      exec(def, ins, params, out) {
        const r: Ref = { k: 'slot', i: slots++ }
        steps.push({ kind: 'op', def: def as PrimitiveDef<unknown>, params, ins: ins.map(refOf), inShapes: ins.map((t) => t.shape), spec: { shape: out.shape, dtype: out.dtype }, out: r.i })
        refs.set(out, r)
      },
      random(out, regenerate) {
        const r: Ref = { k: 'slot', i: slots++ }
        steps.push({ kind: 'random', regenerate, out: r.i })
        refs.set(out, r)
      },
      hostRead(t) {
        const r = refs.get(t)
        if (r !== undefined && r.k === 'slot') impure = true
      },
      shapesOnly
    },
    () => f(inputs, markRoot(key, {}))
  )
  if (impure) return { result, plan: 'impure' }
  const outLeaves = Tree.leaves(result)
  return {
    result,
    plan: {
      backend: getBackend(),
      steps,
      slots,
      outStructure: Tree.structure(result),
      outs: outLeaves.map(refOf),
      outMeta: outLeaves.map((l) => ({ shape: l.shape, dtype: l.dtype }))
    }
  }
}
