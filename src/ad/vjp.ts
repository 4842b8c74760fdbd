/**
 * Reverse-mode AD as a fold. `vjp(f, x)` opens a trace with a fresh tag, runs `f` on tracers of `x`,
 * and returns the value with a pullback. The pullback walks the nodes reachable from the outputs in
 * decreasing id order (ids grow in creation order, so this is a reverse topological order) and sums
 * cotangents into a local map: no global tape, nothing visible mutated.
 *
 * Laws (laws/ad.ts): the VJP of every primitive matches central finite differences; the adjoint
 * identity ⟨J v, u⟩ = ⟨v, Jᵀ u⟩ holds; `grad(grad(f))` is the second derivative.
 *
 * @since 0.1.0
 */
import { Tensor, fill, isTensor, concrete } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { type Node, nextNodeId, freshTag } from '../primitives/bind.js'
import { add } from '../primitives/add.js'
import { fail, show } from '../core/errors.js'
import { cast } from '../primitives/cast.js'

const leafNode = (): Node => ({ id: nextNodeId(), parents: [], vjp: undefined })

/** @internal Wrap a value in a tracer of `tag`. */
const traced = (x: Tensor, tag: number, node: Node): Tensor => new Tensor(x.shape, x.dtype, undefined, { tag, primal: x, node })

const zerosLike = (x: Tensor): Tensor => fill(x.shape, 0)

/** @internal Run the reverse sweep from seeded output nodes; returns the cotangent map. */
export const backward = (seeds: ReadonlyArray<readonly [Node, Tensor]>): Map<Node, Tensor> => {
  const cts = new Map<Node, Tensor>()
  const seen = new Set<Node>()
  const stack: Node[] = []
  for (const [n, ct] of seeds) {
    const prev = cts.get(n)
    cts.set(n, prev === undefined ? ct : add(prev, ct))
    if (!seen.has(n)) {
      seen.add(n)
      stack.push(n)
    }
  }
  const order: Node[] = []
  while (stack.length > 0) {
    const n = stack.pop() as Node
    order.push(n)
    for (const p of n.parents)
      if (p !== undefined && !seen.has(p)) {
        seen.add(p)
        stack.push(p)
      }
  }
  order.sort((a, b) => b.id - a.id)
  for (const n of order) {
    const ct = cts.get(n)
    if (ct === undefined || n.vjp === undefined) continue
    const ins = n.vjp(ct)
    n.parents.forEach((p, i) => {
      const g = ins[i]
      if (p === undefined || g === undefined) return
      const prev = cts.get(p)
      cts.set(p, prev === undefined ? g : add(prev, g))
    })
  }
  return cts
}

const checkTree = (op: string, x: unknown): Tree.Tree => {
  try {
    Tree.leaves(x as Tree.Tree)
  } catch {
    fail('InvalidArgument', `${op}: expected a Tensor or a tree (array/record) of Tensors to differentiate, received ${show(x)}`, {
      op,
      expected: 'Tensor | array | record of Tensors',
      received: x
    })
  }
  return x as Tree.Tree
}

/**
 * Value and pullback of `f` at `x`. `x` and the result may be trees; the pullback takes a cotangent of
 * the result's structure and returns one of `x`'s (same type, same structure).
 * @example const [y, pullback] = vjp((x) => mul(x, x), tensor([3])); pullback(tensor([1])) // [6]
 */
export const vjp = <X extends Tree.Tree, Y extends Tree.Tree>(f: (x: X) => Y, x: X): [Y, (ct: Y) => X] => {
  checkTree('vjp', x)
  const tag = freshTag()
  const xLeaves = Tree.leaves(x)
  const nodes = xLeaves.map(leafNode)
  const xt = Tree.unflatten<X>(Tree.structure(x), xLeaves.map((l, i) => traced(l, tag, nodes[i])))
  const y = f(xt)
  checkTree('vjp (result of f)', y)
  const yLeaves = Tree.leaves(y)
  const outNodes = yLeaves.map((l) => (l.trace !== undefined && l.trace.tag === tag ? (l.trace.node as Node) : undefined))
  const yPrimal = Tree.map(y, (l) => (l.trace !== undefined && l.trace.tag === tag ? l.trace.primal : l))
  const yStruct = Tree.structure(y)
  const pullback = (ct: Y): X => {
    const cs = Tree.structure(checkTree('vjp pullback', ct))
    if (!Tree.sameStructure(cs, yStruct)) fail('StructureMismatch', 'vjp: the cotangent must have the structure of the result', { expected: yStruct, actual: cs })
    const ctLeaves = Tree.leaves(ct)
    ctLeaves.forEach((c, i) => {
      if (c.shape.length !== yLeaves[i].shape.length || c.shape.some((d, j) => d !== yLeaves[i].shape[j]))
        fail('ShapeMismatch', `vjp: cotangent ${i} has shape ${show(c.shape)}, expected ${show(yLeaves[i].shape)}`, { expected: yLeaves[i].shape, actual: c.shape })
    })
    const seeds: Array<readonly [Node, Tensor]> = []
    outNodes.forEach((n, i) => {
      if (n !== undefined) seeds.push([n, ctLeaves[i]])
    })
    const cts = backward(seeds)
    return Tree.unflatten<X>(
      Tree.structure(x),
      xLeaves.map((l, i) => {
        const g = cts.get(nodes[i])
        return g === undefined ? zerosLike(l) : l.dtype === 'int32' ? cast(g, 'float32') : g
      })
    )
  }
  return [yPrimal, pullback]
}

/** Whether `t` is traced by any transformation (useful in custom code). */
export const isTraced = (t: Tensor): boolean => isTensor(t) && t.trace !== undefined

/**
 * Stop gradients: the value of `x`, seen as a constant by every enclosing trace.
 * @example stopGradient(target)
 */
export const stopGradient = <T extends Tree.Tree>(x: T): T => Tree.map(x, concrete)
