/**
 * Gradient transformations, optax style.
 *
 * A `GradientTransformation<S>` is a pair of pure functions: `init(params)` makes its state `S` and
 * `update(updates, state, params)` turns incoming updates (gradients, for the first transformation of a
 * chain) into outgoing updates — the *deltas to add*: `newParams = applyUpdates(params, updates)`,
 * which is `p + u`. Named optimizers are `chain`s of small transformations (`alias.ts`).
 *
 * States are trees of Tensors (every leaf a Tensor, step counts as scalar tensors), so a state can be
 * saved like parameters, and keeps one structure from step to step. Step-dependent quantities are
 * computed with tensor ops, never read back into JavaScript numbers, so a recorded training step can be
 * replayed with new states.
 *
 * Laws (laws/optimizers.ts): `identity()` leaves updates unchanged; `chain` is associative and has
 * `identity()` as unit (on updates); updates keep the tree structure of the incoming updates; the state
 * structure is the same after `update` as after `init`.
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { scalar } from '../core/Tensor.js'
import * as T from '../core/Tree.js'
import { fail } from '../core/errors.js'
import { add, mul } from '../primitives/index.js'

/** A tree of tensors (re-exported for signatures). */
export type Tree = T.Tree

/**
 * A pure optimizer building block: `init` makes the state, `update` maps incoming updates to outgoing
 * ones and steps the state. Methods (not function properties), so that a transformation with a precise
 * state type is usable where a `GradientTransformation<Tree>` is expected.
 * @example const t = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3))
 */
export interface GradientTransformation<S extends Tree = Tree> {
  init(params: Tree): S
  update(updates: Tree, state: S, params: Tree): readonly [Tree, S]
}

/** The state type of a transformation. */
export type StateOf<G> = G extends GradientTransformation<infer S> ? S : never

/** The state of a stateless transformation: an empty record (still a tree). */
export type EmptyState = { readonly [k: string]: never }

/** @internal the one empty state value. */
export const EMPTY: EmptyState = Object.freeze({}) as EmptyState

/** A state holding a step count only. */
export type CountState = { readonly count: Tensor }

/** @internal a fresh scalar step count of 0. */
export const zeroCount = (): Tensor => scalar(0)

/**
 * @internal Flatten trees that share the structure of the first, apply `f` to each leaf tuple, and
 * rebuild `outs` trees with that structure. One flatten per tree, no per-leaf structure checks.
 */
export const mapLeaves = (where: string, trees: ReadonlyArray<Tree>, outs: number, f: (xs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>): Tree[] => {
  const s = T.structure(trees[0])
  const ls = trees.map(T.leaves)
  const n = ls[0].length
  for (let k = 1; k < ls.length; k++)
    if (ls[k].length !== n)
      fail('StructureMismatch', `${where}: the updates have ${n} leaves but the state or params have ${ls[k].length}; was the state made by init on these params?`, {
        op: where,
        expected: n,
        actual: ls[k].length
      })
  const res: Tensor[][] = Array.from({ length: outs }, () => [])
  for (let i = 0; i < n; i++) {
    const ys = f(ls.map((l) => l[i]))
    for (let j = 0; j < outs; j++) res[j].push(ys[j])
  }
  return res.map((r) => T.unflatten(s, r))
}

/** @internal map one tree through `f`, keeping its structure. */
export const mapTree = (tree: Tree, f: (x: Tensor) => Tensor): Tree => T.map(tree, (x) => f(x))

/**
 * Apply updates to params: `p + u`, leaf by leaf.
 * @example const params2 = applyUpdates(params, updates)
 */
export const applyUpdates = <P extends Tree>(params: P, updates: Tree): P => mapLeaves('applyUpdates', [params, updates], 1, ([p, u]) => [add(p, u)])[0] as P

/**
 * The transformation that changes nothing (the unit of `chain`).
 * @example identity().update(g, identity().init(p), p)[0] === g
 */
export const identity = (): GradientTransformation<EmptyState> => ({
  init: () => EMPTY,
  update: (updates, state) => [updates, state]
})

/**
 * Run transformations one after another; the state is the tuple of their states.
 * @example const adamLike = chain(scaleByAdam(), scaleByLearningRate(1e-3))
 */
export const chain = <Ts extends ReadonlyArray<GradientTransformation<Tree>>>(...ts: Ts): GradientTransformation<{ readonly [K in keyof Ts]: StateOf<Ts[K]> } & Tree> => ({
  init: (params) => Object.freeze(ts.map((t) => t.init(params))) as unknown as { readonly [K in keyof Ts]: StateOf<Ts[K]> } & Tree,
  update: (updates, state, params) => {
    const states = state as unknown as ReadonlyArray<Tree>
    if (!Array.isArray(states) || states.length !== ts.length)
      fail('StructureMismatch', `chain: expected a state of ${ts.length} entries (one per transformation), received ${Array.isArray(states) ? states.length : typeof states}`, {
        op: 'chain',
        expected: ts.length,
        actual: Array.isArray(states) ? states.length : states
      })
    let u = updates
    const next: Tree[] = []
    ts.forEach((t, i) => {
      const [u2, s2] = t.update(u, states[i], params)
      u = u2
      next.push(s2)
    })
    return [u, Object.freeze(next) as unknown as { readonly [K in keyof Ts]: StateOf<Ts[K]> } & Tree]
  }
})

/**
 * Multiply updates by a constant.
 * @example scale(-0.1) // plain gradient descent with learning rate 0.1
 */
export const scale = (factor: number): GradientTransformation<EmptyState> => ({
  init: () => EMPTY,
  update: (updates, state) => [mapTree(updates, (u) => mul(u, factor)), state]
})
