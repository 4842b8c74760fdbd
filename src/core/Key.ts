/**
 * Explicit, splittable random keys. There is no global random state: a key is a value, `split` makes
 * independent children, and the same key always gives the same numbers.
 *
 * The stream behind a key is xoroshiro128+ from `pure-rand`; splitting hashes the parent state with the
 * child index (murmur3's finaliser), so `split(k, n)[i]` never equals a key reachable by jumping.
 *
 * Laws: `split(key(s), n)` is a pure function of `s` and `n`; its `n` children are pairwise distinct.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { tfError, orThrow, show, fail } from './errors.js'

/** A random key. Treat it as opaque. */
export interface Key {
  readonly _tag: 'Key'
  readonly state: readonly [number, number, number, number]
  /** @internal present only on keys derived from a root marked by compiled mode: how to re-derive them */
  readonly origin?: KeyOrigin
  /** @internal present only on a bundle of keys (`bundle`): one per step of a compiled multi-step call */
  readonly members?: ReadonlyArray<Key>
}

/** @internal How a key was derived from a marked root key. */
export interface KeyOrigin {
  readonly root: object
  readonly path: ReadonlyArray<PathStep>
}

type PathStep = readonly ['split', number, number] | readonly ['foldIn', number] | readonly ['member', number]

const fmix32 = (h0: number): number => {
  let h = h0 | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

const make = (a: number, b: number, c: number, d: number, origin?: KeyOrigin, members?: ReadonlyArray<Key>): Key => {
  // xoroshiro must not start from the all-zero state
  const s: [number, number, number, number] = [a | 0, b | 0, c | 0, d | 0]
  if (s.every((v) => v === 0)) s[3] = 1
  return Object.freeze({ _tag: 'Key', state: Object.freeze(s), ...(origin !== undefined ? { origin } : {}), ...(members !== undefined ? { members } : {}) }) as Key
}

const extend = (k: Key, step: PathStep): KeyOrigin | undefined => (k.origin === undefined ? undefined : { root: k.origin.root, path: [...k.origin.path, step] })

/** @internal A copy of `k` marked as the root of a derivation (compiled mode replays derivations). */
export const markRoot = (k: Key, root: object): Key => make(k.state[0], k.state[1], k.state[2], k.state[3], { root, path: [] }, k.members)

/** @internal Re-derive, from a new root key, the key that `origin` describes. */
export const rederive = (root: Key, origin: KeyOrigin): Key =>
  origin.path.reduce<Key>(
    (k, st) => (st[0] === 'split' ? split(k, st[1])[st[2]] : st[0] === 'foldIn' ? foldIn(k, st[1]) : member(k, st[1])),
    root.members === undefined ? { _tag: 'Key', state: root.state } : { _tag: 'Key', state: root.state, members: root.members }
  )

/**
 * @internal One key standing for several (the step keys of a compiled multi-step call): `member(b, i)`
 * is `keys[i]`, and a recording that drew from `member(b, i)` draws again from member `i` of the bundle
 * it is replayed with. Its own state is the first key's.
 */
export const bundle = (keys: ReadonlyArray<Key>): Key => {
  const k0 = keys[0]
  return make(k0.state[0], k0.state[1], k0.state[2], k0.state[3], undefined, Object.freeze([...keys]))
}

/** @internal Member `i` of a bundle (see {@link bundle}). */
export const member = (b: Key, i: number): Key => {
  const m = b.members?.[i]
  if (m === undefined) return fail('InvalidArgument', `member: key bundle has no member ${i}`, { op: 'member', expected: `a bundle with more than ${i} keys`, received: b })
  return make(m.state[0], m.state[1], m.state[2], m.state[3], extend(b, ['member', i]))
}

/** A key from an integer seed. @example const k = key(42) */
export const key = (seed: number): Key => {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    return orThrow(E.left(tfError('InvalidArgument', `key: expected a finite number seed, received ${show(seed)}`, { op: 'key', expected: 'finite number', received: seed })))
  const lo = seed >>> 0
  const hi = Math.floor(seed / 4294967296) >>> 0
  return make(fmix32(lo ^ 0x9e3779b9), fmix32(hi + 0x7f4a7c15), fmix32(lo + 0x6a09e667), fmix32(hi ^ 0xbb67ae85))
}

/** Whether a value is a key. */
export const isKey = (u: unknown): u is Key =>
  typeof u === 'object' && u !== null && (u as Key)._tag === 'Key' && Array.isArray((u as Key).state) && (u as Key).state.length === 4

/** `n` independent child keys. @example const [k1, k2] = split(k, 2) */
export const split = (k: Key, n = 2): Key[] => {
  const [a, b, c, d] = k.state
  const out: Key[] = []
  for (let i = 0; i < n; i++) {
    const j = Math.imul(i + 1, 0x9e3779b1)
    out.push(make(fmix32(a ^ j), fmix32(b + fmix32(j ^ 0x1b873593)), fmix32(c ^ fmix32(j + 0xcc9e2d51)), fmix32(d + fmix32(j ^ 0x5bd1e995)), extend(k, ['split', n, i])))
  }
  return out
}

/** Fold an integer into a key (e.g. a step number). @example foldIn(k, step) */
export const foldIn = (k: Key, data: number): Key => {
  const [a, b, c, d] = k.state
  const x = fmix32(data | 0)
  return make(fmix32(a ^ x), fmix32(b + x), fmix32(c ^ fmix32(x + 1)), fmix32(d + fmix32(x + 2)), extend(k, ['foldIn', data]))
}

/** @internal `n` uniform doubles in [0, 1) from a key. */
export const uniforms = (k: Key, n: number): Float64Array => {
  const g = xoroshiro128plusFromState(k.state)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = uniformFloat64(g)
  return out
}

/** @internal `n` standard normal doubles from a key (Box–Muller). */
export const normals = (k: Key, n: number): Float64Array => {
  const u = uniforms(k, n + (n % 2))
  const out = new Float64Array(n)
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]))
    const th = 2 * Math.PI * u[i + 1]
    out[i] = r * Math.cos(th)
    if (i + 1 < n) out[i + 1] = r * Math.sin(th)
  }
  return out
}
