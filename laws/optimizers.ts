/**
 * Optimizer laws (DESIGN §7), in two parts as fp-ts-laws: pure predicates over given values, and
 * fast-check drivers that run them on random parameter trees for any `GradientTransformation`.
 *
 * - identity: `identity().update(g, s, p)` returns `g` unchanged;
 * - unit: `chain(identity(), t)` and `chain(t, identity())` give `t`'s updates;
 * - associativity: `chain(chain(a, b), c)` and `chain(a, chain(b, c))` give the same updates;
 * - structure: updates have the structure and leaf shapes of the incoming updates, and the state keeps
 *   the structure (and leaf shapes) `init` gave it, every leaf a Tensor;
 * - SGD: one step of `sgd({learningRate})` is `p − lr·g`.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Tensor, tensor, dataF64, isTensor } from '../src/core/Tensor.js'
import * as T from '../src/core/Tree.js'
import { type GradientTransformation, applyUpdates, identity, chain } from '../src/optimizers/base.js'
import { sgd } from '../src/optimizers/alias.js'

type Tree = T.Tree

/** Whether two trees have one structure, the same leaf shapes, and values within `atol + rtol·|b|`. */
export const treesClose = (a: Tree, b: Tree, rtol = 1e-6, atol = 1e-7): boolean => {
  if (!T.sameStructure(T.structure(a), T.structure(b))) return false
  const la = T.leaves(a)
  const lb = T.leaves(b)
  return la.every((x, i) => {
    const y = lb[i]
    if (x.shape.length !== y.shape.length || x.shape.some((d, j) => d !== y.shape[j])) return false
    const xa = dataF64(x)
    const ya = dataF64(y)
    return xa.every((v, j) => Math.abs(v - ya[j]) <= atol + rtol * Math.abs(ya[j]) || (Number.isNaN(v) && Number.isNaN(ya[j])))
  })
}

const sameShapes = (a: Tree, b: Tree): boolean => {
  if (!T.sameStructure(T.structure(a), T.structure(b))) return false
  const lb = T.leaves(b)
  return T.leaves(a).every((x, i) => x.shape.length === lb[i].shape.length && x.shape.every((d, j) => d === lb[i].shape[j]))
}

/** Run `steps` updates from `init`, returning every step's updates and the final state. */
export const runUpdates = <S extends Tree>(t: GradientTransformation<S>, params: Tree, grads: ReadonlyArray<Tree>): { updates: Tree[]; states: S[] } => {
  let s = t.init(params)
  let p = params
  const updates: Tree[] = []
  const states: S[] = [s]
  for (const g of grads) {
    const [u, s2] = t.update(g, s, p)
    updates.push(u)
    states.push(s2)
    p = applyUpdates(p, u)
    s = s2
  }
  return { updates, states }
}

/** identity leaves updates unchanged. */
export const optimizerIdentityLaw = (params: Tree, grads: Tree): boolean => {
  const id = identity()
  const [u] = id.update(grads, id.init(params), params)
  return treesClose(u, grads, 0, 0)
}

/** `chain(identity(), t)` and `chain(t, identity())` give the updates of `t`. */
export const chainUnitLaw = (t: GradientTransformation, params: Tree, grads: ReadonlyArray<Tree>, rtol = 1e-6): boolean => {
  const base = runUpdates(t, params, grads).updates
  const left = runUpdates(chain(identity(), t), params, grads).updates
  const right = runUpdates(chain(t, identity()), params, grads).updates
  return base.every((u, i) => treesClose(left[i], u, rtol) && treesClose(right[i], u, rtol))
}

/** `chain(chain(a, b), c)` and `chain(a, chain(b, c))` give the same updates at every step. */
export const chainAssociativityLaw = (a: GradientTransformation, b: GradientTransformation, c: GradientTransformation, params: Tree, grads: ReadonlyArray<Tree>, rtol = 1e-6): boolean => {
  const l = runUpdates(chain(chain(a, b), c), params, grads).updates
  const r = runUpdates(chain(a, chain(b, c)), params, grads).updates
  return l.every((u, i) => treesClose(u, r[i], rtol))
}

/** Updates keep the incoming structure and shapes; states keep `init`'s structure, all leaves Tensors. */
export const optimizerStructureLaw = (t: GradientTransformation, params: Tree, grads: ReadonlyArray<Tree>): boolean => {
  const { updates, states } = runUpdates(t, params, grads)
  const leavesAreTensors = states.every((s) => T.leaves(s).every(isTensor))
  return leavesAreTensors && updates.every((u, i) => sameShapes(u, grads[i])) && states.every((s) => sameShapes(s, states[0]))
}

/** One SGD step is `p − lr·g` (lr as float32, as it is stored). */
export const sgdStepLaw = (learningRate: number, params: Tree, grads: Tree, rtol = 1e-6): boolean => {
  const opt = sgd({ learningRate })
  const [u] = opt.update(grads, opt.init(params), params)
  const lr = Math.fround(learningRate)
  const pl = T.leaves(params)
  const gl = T.leaves(grads)
  const expected = T.unflatten(
    T.structure(params),
    pl.map((p, i) => {
      const pv = dataF64(p)
      const gv = dataF64(gl[i])
      return tensor(Array.from(pv, (v, j) => v - lr * gv[j]), p.shape)
    })
  )
  return treesClose(applyUpdates(params, u), expected, rtol, 1e-6)
}

// ---------------------------------------------------------------------------------------------------
// arbitraries and drivers

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 })
const leafOf = (shape: ReadonlyArray<number>, lo = -2, hi = 2): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }).map((vs) => tensor(vs, shape))
}

/** A tree skeleton: where the leaves are and their shapes (records, arrays, nesting). */
type Skeleton = { readonly leaf: ReadonlyArray<number> } | { readonly list: ReadonlyArray<Skeleton> } | { readonly rec: ReadonlyArray<readonly [string, Skeleton]> }

const skeletonArb: fc.Arbitrary<Skeleton> = fc.letrec<{ node: Skeleton }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    shapeArb.map((s) => ({ leaf: s })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((xs) => ({ list: xs })),
    fc.uniqueArray(fc.tuple(fc.constantFrom('w', 'b', 'kernel', 'bias', 'z'), tie('node')), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((kv) => ({ rec: kv }))
  )
})).node

const fillSkeleton = (s: Skeleton, lo: number, hi: number): fc.Arbitrary<Tree> => {
  if ('leaf' in s) return leafOf(s.leaf, lo, hi)
  if ('list' in s) return fc.tuple(...s.list.map((x) => fillSkeleton(x, lo, hi))).map((xs) => Object.freeze(xs) as Tree)
  return fc.tuple(...s.rec.map(([, x]) => fillSkeleton(x, lo, hi))).map((xs) => Object.freeze(Object.fromEntries(s.rec.map(([k], i) => [k, xs[i]]))) as Tree)
}

/** Parameters and `steps` gradient trees of the same (random) structure. */
export const paramsAndGradsArb = (steps = 2): fc.Arbitrary<{ readonly params: Tree; readonly grads: ReadonlyArray<Tree> }> =>
  skeletonArb.chain((sk) =>
    fc.tuple(fillSkeleton(sk, -2, 2), fc.array(fillSkeleton(sk, -1, 1), { minLength: steps, maxLength: steps })).map(([params, grads]) => ({ params, grads }))
  )

/** Options of the drivers. */
export interface OptimizerLawOptions {
  readonly numRuns?: number
  readonly steps?: number
  readonly seed?: number
}

/**
 * Check the structure and unit laws of a transformation on random trees (throws on a counterexample).
 * @example checkOptimizerLaws(adam())
 */
export const checkOptimizerLaws = (t: GradientTransformation, o: OptimizerLawOptions = {}): void => {
  const params = { numRuns: o.numRuns ?? 10, seed: o.seed }
  fc.assert(
    fc.property(paramsAndGradsArb(o.steps ?? 2), ({ params: p, grads }) => optimizerStructureLaw(t, p, grads) && chainUnitLaw(t, p, grads)),
    params
  )
}

/**
 * Check that `chain` is associative on three transformations, on random trees.
 * @example checkChainAssociativity(clipByValue(0.5), traceMomentum(), scaleByAdam())
 */
export const checkChainAssociativity = (a: GradientTransformation, b: GradientTransformation, c: GradientTransformation, o: OptimizerLawOptions = {}): void => {
  fc.assert(
    fc.property(paramsAndGradsArb(o.steps ?? 2), ({ params, grads }) => chainAssociativityLaw(a, b, c, params, grads)),
    { numRuns: o.numRuns ?? 10, seed: o.seed }
  )
}

/**
 * Check that `identity` leaves updates unchanged and that one SGD step is `p − lr·g`, on random trees.
 * @example checkIdentityAndSgd()
 */
export const checkIdentityAndSgd = (o: OptimizerLawOptions = {}): void => {
  fc.assert(
    fc.property(paramsAndGradsArb(1), fc.double({ min: 1e-4, max: 1, noNaN: true }), ({ params, grads }, lr) => optimizerIdentityLaw(params, grads[0]) && sgdStepLaw(lr, params, grads[0])),
    { numRuns: o.numRuns ?? 20, seed: o.seed }
  )
}
