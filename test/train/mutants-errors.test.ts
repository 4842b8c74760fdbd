/**
 * Tests that kill mutants StrykerJS found surviving in src/train/errors.ts (docs/laws.md, "Mutation
 * testing"): how far a name may be from an allowed one to be suggested.
 */
import { describe, it, expect } from 'vitest'
import { unknownName, compileError } from '../../src/train/errors.js'

describe('train/errors: mutants killed', () => {
  const allowed = ['sgd', 'adam']
  it('unknownName suggests a name within max(2, ⌈length / 2⌉) edits, and none beyond', () => {
    // 'adammmm': 3 edits from 'adam', length 7 → within 4
    expect(unknownName('optimizer', 'adammmm', allowed)).toMatchObject({
      _tag: 'CompileError',
      message: "optimizer: unknown 'adammmm' — did you mean 'adam'? (allowed: 'sgd', 'adam')",
      nearest: 'adam'
    })
    // 'zzzzzzzz': 8 edits from 'adam', length 8 → beyond 4
    expect(unknownName('optimizer', 'zzzzzzzz', allowed)).toMatchObject({
      message: "optimizer: unknown 'zzzzzzzz' (allowed: 'sgd', 'adam')",
      path: 'optimizer',
      allowed,
      received: 'zzzzzzzz',
      nearest: undefined
    })
  })
  it("the limit counts the name as compared: without the '_' and '-' it ignores (a bug fixed; StrykerJS g4, errors.ts:16)", () => {
    // 'z_z_z_z' is compared as 'zzzz', 4 edits from 'sgd' and from 'adam'; half of 'zzzz' is 2, so no
    // suggestion (counting the 7 characters of 'z_z_z_z' allowed 4 edits and suggested 'sgd')
    expect(unknownName('optimizer', 'z_z_z_z', allowed)).toMatchObject({ message: "optimizer: unknown 'z_z_z_z' (allowed: 'sgd', 'adam')", nearest: undefined })
    // a typo with separators is still suggested: 'a_d_a_m_m' is 'adamm', 1 edit from 'adam'
    expect(unknownName('optimizer', 'a_d_a_m_m', allowed)).toMatchObject({ nearest: 'adam' })
  })
  it('compileError allows nothing by default', () => {
    expect(compileError('loss', 'a loss', 3)).toMatchObject({ _tag: 'CompileError', message: 'loss: expected a loss, received 3', allowed: [], nearest: undefined })
  })
})
