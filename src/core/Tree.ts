/**
 * Trees of tensors: parameters, gradients and optimizer states. A tree is a Tensor, a readonly array
 * of trees or a readonly record of trees. The functions here keep the static type of the tree.
 *
 * Laws: `map(t, x => x) ≅ t`; `unflatten(structure(t), leaves(t)) ≅ t`;
 * `leaves(zipWith(a, b, f))[i] = f(leaves(a)[i], leaves(b)[i])`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, isTensor } from './Tensor.js'
import { tfError, type TfError, orThrow, show } from './errors.js'

/** A tree of tensors. */
export type Tree = Tensor | ReadonlyArray<Tree> | { readonly [k: string]: Tree }

/** The same tree type with every tensor leaf replaced by `A`. */
export type MapLeaves<T, A> = T extends Tensor
  ? A
  : T extends ReadonlyArray<unknown>
    ? { readonly [K in keyof T]: MapLeaves<T[K], A> }
    : { readonly [K in keyof T]: MapLeaves<T[K], A> }

/** The shape of a tree without its values. */
export type Structure =
  | { readonly _tag: 'Leaf' }
  | { readonly _tag: 'List'; readonly items: ReadonlyArray<Structure> }
  | {
      readonly _tag: 'Record'
      /** the keys in sorted order: the order of the leaves and of `items` */
      readonly keys: ReadonlyArray<string>
      readonly items: ReadonlyArray<Structure>
      /** the keys in the record's own order (insertion order), in which rebuilt records list them */
      readonly order?: ReadonlyArray<string>
    }

/** @internal A record node: an object that is neither an array nor a tensor (the one `isRecord` of the library). */
export const isRecord = <V = unknown>(u: unknown): u is Readonly<Record<string, V>> => typeof u === 'object' && u !== null && !Array.isArray(u) && !isTensor(u)

/** Map every leaf. @example Tree.map({w, b}, (x) => mul(x, 2)) */
export const map = <T extends Tree>(tree: T, f: (leaf: Tensor, path: string) => Tensor): T => mapAt(tree, f, '') as T

const mapAt = (tree: Tree, f: (leaf: Tensor, path: string) => Tensor, path: string): Tree => {
  if (isTensor(tree)) return f(tree, path)
  if (Array.isArray(tree)) return Object.freeze((tree as ReadonlyArray<Tree>).map((t, i) => mapAt(t, f, `${path}[${i}]`)))
  if (isRecord(tree)) {
    // visit keys in sorted order, the order of `leaves`, so zipWith pairs the right leaves; but rebuild
    // the record in its own key order, so a layer's weights keep their order (kernel before bias)
    const own = Object.keys(tree)
    const done: Record<string, Tree> = {}
    for (const k of own.slice().sort()) done[k] = mapAt(tree[k] as Tree, f, path ? `${path}.${k}` : k)
    return Object.freeze(ownOrder(own, done))
  }
  return orThrow(E.left(notATree(tree, path)))
}

/** A record with the values of `done`, its keys listed in the order `own`. */
const ownOrder = (own: ReadonlyArray<string>, done: Readonly<Record<string, Tree>>): Record<string, Tree> => {
  const out: Record<string, Tree> = {}
  for (const k of own) out[k] = done[k]
  return out
}

const notATree = (u: unknown, path: string): TfError =>
  tfError('NotATree', `Tree: expected a Tensor, an array or a record of trees at ${path || '(root)'}, received ${show(u)}`, {
    path,
    expected: 'Tensor | array | record',
    received: u
  })

/** The leaves in a fixed order (arrays by index, records by sorted key). */
export const leaves = (tree: Tree): Tensor[] => {
  const out: Tensor[] = []
  const go = (t: Tree, path: string): void => {
    if (isTensor(t)) out.push(t)
    else if (Array.isArray(t)) (t as ReadonlyArray<Tree>).forEach((x, i) => go(x, `${path}[${i}]`))
    else if (isRecord(t)) for (const k of Object.keys(t).sort()) go(t[k] as Tree, `${path}.${k}`)
    else orThrow(E.left(notATree(t, path)))
  }
  go(tree, '')
  return out
}

/** The structure of a tree. */
export const structure = (tree: Tree): Structure => {
  if (isTensor(tree)) return { _tag: 'Leaf' }
  if (Array.isArray(tree)) return { _tag: 'List', items: (tree as ReadonlyArray<Tree>).map(structure) }
  if (isRecord(tree)) {
    const own = Object.keys(tree)
    const keys = own.slice().sort()
    return { _tag: 'Record', keys, items: keys.map((k) => structure(tree[k] as Tree)), order: own }
  }
  return orThrow(E.left(notATree(tree, '')))
}

/** Rebuild a tree from a structure and its leaves (inverse of `structure` + `leaves`). */
export const unflatten = <T extends Tree = Tree>(s: Structure, ls: ReadonlyArray<Tensor>): T => {
  let i = 0
  const go = (st: Structure): Tree => {
    switch (st._tag) {
      case 'Leaf':
        return ls[i++]
      case 'List':
        return Object.freeze(st.items.map(go))
      case 'Record': {
        const done: Record<string, Tree> = {}
        st.keys.forEach((k, j) => (done[k] = go(st.items[j])))
        return Object.freeze(ownOrder(st.order ?? st.keys, done))
      }
    }
  }
  const t = go(s)
  if (i !== ls.length) orThrow(E.left(tfError('StructureMismatch', `Tree.unflatten: structure has ${i} leaves, received ${ls.length}`, { expected: i, actual: ls.length })))
  return t as T
}

/** Structural equality of two structures (the same keys and leaves; the order keys were written in does not matter). */
export const sameStructure = (a: Structure, b: Structure): boolean => {
  if (a._tag !== b._tag) return false
  if (a._tag === 'Leaf') return true
  const bi = (b as typeof a).items
  if (a.items.length !== bi.length) return false
  if (a._tag === 'Record' && a.keys.some((k, i) => (b as typeof a).keys[i] !== k)) return false
  return a.items.every((x, i) => sameStructure(x, bi[i]))
}

/** Combine two trees of the same structure leaf by leaf; `Left` if the structures differ. */
export const zipWithE = <T extends Tree>(a: T, b: Tree, f: (x: Tensor, y: Tensor, path: string) => Tensor): E.Either<TfError, T> => {
  const sa = structure(a)
  const sb = structure(b)
  if (!sameStructure(sa, sb))
    return E.left(tfError('StructureMismatch', 'Tree.zipWith: the two trees have different structures', { expected: sa, actual: sb }))
  const lb = leaves(b)
  let i = 0
  return E.right(map(a, (x, path) => f(x, lb[i++], path)))
}

/** Combine two trees of the same structure leaf by leaf; throws on a structure mismatch. */
export const zipWith = <T extends Tree>(a: T, b: Tree, f: (x: Tensor, y: Tensor, path: string) => Tensor): T => orThrow(zipWithE(a, b, f))

/** Combine three trees of the same structure leaf by leaf. */
export const zipWith3 = <T extends Tree>(a: T, b: Tree, c: Tree, f: (x: Tensor, y: Tensor, z: Tensor) => Tensor): T => {
  const lb = leaves(b)
  const lc = leaves(c)
  const sa = structure(a)
  if (!sameStructure(sa, structure(b)) || !sameStructure(sa, structure(c)))
    orThrow(E.left(tfError('StructureMismatch', 'Tree.zipWith3: the trees have different structures', {})))
  let i = 0
  return map(a, (x) => {
    const r = f(x, lb[i], lc[i])
    i++
    return r
  })
}

/** Number of scalar values in a tree. */
export const countValues = (tree: Tree): number => leaves(tree).reduce((n, t) => n + t.size, 0)
