/**
 * @internal Stacking and unstacking the elements of a dataset (trees of tensors) along a new first
 * axis: the pure work under `batch` and `unbatch`. Errors are thrown as the dataset's tagged element
 * errors (the iteration turns them into rejections).
 *
 * @since 0.2.0
 */
import { type Tensor, isTensor, bufferOf, fromBuffer } from '../core/Tensor.js'
import { type Tree, leaves, structure, unflatten, sameStructure } from '../core/Tree.js'
import { show } from '../core/errors.js'
import { elementError, raise } from './errors.js'

/** Stack same-shaped tensors along a new first axis (int32 stays int32). */
const stack = (op: string, ts: ReadonlyArray<Tensor>): Tensor => {
  const first = ts[0]
  const n = first.size
  const out = first.dtype === 'int32' ? new Int32Array(n * ts.length) : new Float32Array(n * ts.length)
  ts.forEach((t, i) => {
    if (t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((d, j) => d !== first.shape[j]))
      raise(elementError(op, i, `a ${first.dtype} tensor of shape ${show(first.shape)}`, `a ${t.dtype} tensor of shape ${show(t.shape)}`))
    out.set(bufferOf(t), i * n)
  })
  return fromBuffer(out, [ts.length, ...first.shape], first.dtype)
}

const checkTree = (op: string, a: unknown, i: number): Tree => {
  if (isTensor(a)) return a
  if (typeof a === 'object' && a !== null && leaves(a as Tree).every(isTensor)) return a as Tree
  return raise(elementError(op, i, 'a tensor, or a list or record of tensors', a))
}

/** Stack elements (trees of tensors of one structure) leaf by leaf. */
export const stackTrees = (op: string, items: ReadonlyArray<unknown>): Tree => {
  const trees = items.map((a, i) => checkTree(op, a, i))
  const s = structure(trees[0])
  const ls = trees.map((t, i) => {
    if (!sameStructure(structure(t), s)) raise(elementError(op, i, `the structure ${JSON.stringify(s)}`, JSON.stringify(structure(t))))
    return leaves(t)
  })
  return unflatten(s, ls[0].map((_, j) => stack(op, ls.map((l) => l[j]))))
}

/** Row `i` of a tensor along its first axis. */
const row = (t: Tensor, i: number): Tensor => {
  const n = t.size / t.shape[0]
  const src = bufferOf(t)
  return fromBuffer(src.slice(i * n, (i + 1) * n), t.shape.slice(1), t.dtype)
}

/** The rows of element `index` (a tree of tensors with one leading size), one tree per row. */
export function* unstackTree(op: string, element: unknown, index: number): Generator<Tree> {
  const tree = checkTree(op, element, index)
  const ls = leaves(tree)
  const n = ls.length === 0 ? 0 : ls[0].shape[0]
  ls.forEach((l) => {
    if (l.shape.length === 0 || l.shape[0] !== n) raise(elementError(op, index, `tensors with ${n} rows`, `shape ${show(l.shape)}`))
  })
  const s = structure(tree)
  for (let i = 0; i < n; i++) yield unflatten(s, ls.map((l) => row(l, i)))
}
