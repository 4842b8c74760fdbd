/** Small models and data for the trainer tests. */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, tensor, randomNormal, key, matmul, add, dataSync, sequential, dense, type ModelLike, Tree } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'

/** The parameters of a hand-written linear model. */
export type LinearParams = { readonly w: Tensor; readonly b: Tensor }

/**
 * A hand-written ModelLike of `inputs` features to `outputs` (no layers module involved), with parameters
 * `params`, state `state` and the given forward pass; `withWeights` keeps the forward pass.
 */
export const handModel = (o: {
  readonly name: string
  readonly inputs: number
  readonly outputs: number
  readonly params: LinearParams
  readonly state?: Tree.Tree
  readonly forward: (p: LinearParams, s: Tree.Tree, xs: ReadonlyArray<Tensor>) => { readonly outputs: ReadonlyArray<Tensor>; readonly state: Tree.Tree }
}): ModelLike =>
  Object.freeze({
    kind: 'Sequential' as const,
    name: o.name,
    built: true,
    inputShapes: [[null, o.inputs]],
    outputShapes: [[null, o.outputs]],
    inputNames: ['x'],
    outputNames: ['y'],
    params: o.params,
    state: o.state ?? {},
    withWeights: (p: Tree.Tree, s?: Tree.Tree) => handModel({ ...o, params: p as LinearParams, state: s ?? o.state }),
    ensureBuilt() {
      return E.right(this as ModelLike)
    },
    forward: (p: Tree.Tree, s: Tree.Tree, xs: ReadonlyArray<Tensor>) => o.forward(p as LinearParams, s, xs)
  })

/** A hand-written ModelLike: `y = x·w + b` (no layers module involved). */
export const linearModel = (inputs: number, outputs = 1, w0 = 0.1): ModelLike =>
  handModel({
    name: 'linear',
    inputs,
    outputs,
    params: { w: tensor(Array.from({ length: inputs }, (_, i) => Array.from({ length: outputs }, (_, j) => w0 * (i + 1) - 0.05 * j))), b: tensor(Array.from({ length: outputs }, () => 0)) },
    forward: (q, s, xs) => ({ outputs: [add(matmul(xs[0], q.w), q.b)], state: s })
  })

/** Regression data `y = x·[1, -2, 0.5] + 0.3` with `n` samples. */
export const regression = (n: number, seed = 1): { x: Tensor; y: Tensor; xs: number[][]; ys: number[][] } => {
  const x = randomNormal(key(seed), [n, 3])
  const xs = x.toArray() as number[][]
  const ys = xs.map((r) => [r[0] - 2 * r[1] + 0.5 * r[2] + 0.3])
  return { x, y: tensor(ys), xs, ys }
}

/** A built sequential MLP for 3 features. */
export const mlp = (seed = 0) => sequential([dense(4, { inputShape: [3], activation: 'tanh' }), dense(1)], { seed })

/** Compile or fail the test. */
export const compiled = (m: ModelLike, o: Tr.CompileOptions): Tr.Trainer => {
  const r = Tr.compile(m, o)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** All weights as flat number arrays. */
export const weightsOf = (t: Tr.Trainer): number[][] => Tree.leaves(t.params).map((l) => Array.from(dataSync(l)))

/** Run a TaskEither and unwrap it (test failure on Left). */
export const run = async <A>(te: () => Promise<E.Either<{ message: string }, A>>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** Run a TaskEither and return its Left (test failure on Right). */
export const runLeft = async <A>(te: () => Promise<E.Either<{ readonly _tag: string; readonly message: string }, A>>): Promise<{ readonly _tag: string; readonly message: string; readonly [k: string]: unknown }> => {
  const r = await te()
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as { readonly _tag: string; readonly message: string }
}
