/**
 * Key bundles (internal to compiled multi-step calls, `stepsPerExecution`): `member(bundle(ks), i)` is
 * `ks[i]`, and a key derived from a member of a marked bundle re-derives from member `i` of whatever
 * bundle a replay passes — the law `jit` relies on to draw each step's random numbers from its own key.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { key, split, foldIn, bundle, member, markRoot, rederive } from '../../src/core/Key.js'
import { TensorfoldError } from '../../src/core/errors.js'

describe('key bundles', () => {
  it('member i of a bundle has the state of key i; asking past the end is a tagged error', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 6 }), (seeds) => {
        const ks = seeds.map((s) => key(s))
        const b = bundle(ks)
        ks.forEach((k, i) => expect(member(b, i).state).toEqual(k.state))
        expect(() => member(b, ks.length)).toThrow(TensorfoldError)
      })
    )
  })

  it('a derivation from a member of a marked bundle replays from the same member of a new bundle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 100 }), (n, seed, step) => {
        const i = step % n
        const recorded = markRoot(bundle(Array.from({ length: n }, (_, j) => key(seed + j))), {})
        const derived = foldIn(split(member(recorded, i), 3)[1], 7)
        const fresh = Array.from({ length: n }, (_, j) => key(seed + 1000 + j))
        const again = rederive(bundle(fresh), derived.origin as NonNullable<typeof derived.origin>)
        expect(again.state).toEqual(foldIn(split(fresh[i], 3)[1], 7).state)
        // and not another member's
        expect(again.state).not.toEqual(foldIn(split(fresh[(i + 1) % n], 3)[1], 7).state)
      })
    )
  })
})
