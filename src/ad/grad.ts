/**
 * `grad`, `valueAndGrad`, `hvp`, `jvp` and `customVjp`, all built on `vjp`.
 *
 * Laws: `grad(f)(x)` has the type and structure of `x`; `grad(grad(f))` is `f''` for scalar `f`;
 * `hvp(f)(x, v) = H(x)·v`; `jvp(f)(x, v) = J(x)·v`.
 *
 * @since 0.1.0
 */
import { Tensor, fill } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { vjp } from './vjp.js'
import { fail, show } from '../core/errors.js'
import { add } from '../primitives/add.js'
import { mul } from '../primitives/mul.js'
import { sum } from '../primitives/sum.js'
import { type Node, nextNodeId, tagObserver } from '../primitives/bind.js'

const checkScalar = (op: string, y: unknown): Tensor => {
  if (!(y instanceof Tensor) || y.size !== 1)
    fail('NotAScalar', `${op}: the function must return a scalar Tensor (one element), received ${y instanceof Tensor ? `Tensor${show(y.shape)}` : show(y)}`, {
      op,
      expected: 'scalar Tensor',
      received: y instanceof Tensor ? y.shape : y
    })
  return y as Tensor
}

/**
 * Value and gradient of a scalar function with respect to its first argument (a tree).
 * @example const [loss, g] = valueAndGrad((p) => sum(mul(p.w, p.w)))({ w })
 */
export const valueAndGrad =
  <X extends Tree.Tree, A extends ReadonlyArray<unknown>>(f: (x: X, ...args: A) => Tensor) =>
  (x: X, ...args: A): [Tensor, X] => {
    const [y, pb] = vjp((p: X) => checkScalar('grad', f(p, ...args)), x)
    return [y, pb(fill(y.shape, 1))]
  }

/**
 * Gradient of a scalar function with respect to its first argument; same type and structure as it.
 * @example grad((x) => sum(mul(x, x)))(tensor([1, 2])) // [2, 4]
 */
export const grad =
  <X extends Tree.Tree, A extends ReadonlyArray<unknown>>(f: (x: X, ...args: A) => Tensor) =>
  (x: X, ...args: A): X =>
    valueAndGrad(f)(x, ...args)[1]

/** Sum of elementwise products over two trees of one structure. */
export const vdot = (a: Tree.Tree, b: Tree.Tree): Tensor => {
  const la = Tree.leaves(a)
  const lb = Tree.leaves(b)
  return la.reduce<Tensor>((acc, x, i) => add(acc, sum(mul(x, lb[i]))), fill([], 0))
}

/**
 * Hessian-vector product by reverse-over-reverse: `H(x)·v`.
 * @example hvp((x) => sum(mul(x, mul(x, x))))(x, v)
 */
export const hvp =
  <X extends Tree.Tree>(f: (x: X) => Tensor) =>
  (x: X, v: X): X =>
    grad((p: X) => vdot(grad(f)(p), v))(x)

/**
 * Jacobian-vector product `[f(x), J(x)·v]`, by transposing the (linear) pullback with a second vjp.
 * @example const [y, t] = jvp(tanh)(x, v)
 */
export const jvp =
  <X extends Tree.Tree, Y extends Tree.Tree>(f: (x: X) => Y) =>
  (x: X, v: X): [Y, Y] => {
    const [y, pb] = vjp(f, x)
    const zero = Tree.map(y, (l) => fill(l.shape, 0))
    const [, pbT] = vjp((u: Y) => pb(u), zero)
    return [y, pbT(v)]
  }

/**
 * A function with a hand-written VJP. `bwd(ct, inputs, output)` returns one cotangent per input.
 * Works at every nesting level (each level applies the rule again).
 * @example const safeLog = customVjp((x) => log(x), (ct, [x]) => [div(ct, maximum(x, 1e-12))])
 */
export const customVjp = (
  f: (...xs: Tensor[]) => Tensor,
  bwd: (ct: Tensor, xs: ReadonlyArray<Tensor>, out: Tensor) => ReadonlyArray<Tensor | undefined>
): ((...xs: Tensor[]) => Tensor) => {
  const g = (...xs: Tensor[]): Tensor => {
    let tag = 0
    for (const x of xs) if (x.trace !== undefined && x.trace.tag > tag) tag = x.trace.tag
    if (tag === 0) return f(...xs)
    const obs = tagObserver(tag)
    if (obs !== undefined) return obs.onCustom(g, xs, () => f(...xs))
    const primals = xs.map((x) => (x.trace !== undefined && x.trace.tag === tag ? x.trace.primal : x))
    const out = g(...primals)
    const node: Node = {
      id: nextNodeId(),
      parents: xs.map((x) => (x.trace !== undefined && x.trace.tag === tag ? (x.trace.node as Node) : undefined)),
      vjp: (ct) => bwd(ct, primals, out)
    }
    return new Tensor(out.shape, out.dtype, undefined, { tag, primal: out, node })
  }
  return g
}

