/**
 * The public surface is pinned: the runtime names of `tensorfold` (src/index.ts) and the members of
 * each namespace it exports must equal `test/public-api.json`. A leaked internal or a lost name fails
 * here. Adding a public name on purpose: add it to src/index.ts (or its namespace's list) and here.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '../src/index.js'

const pinned = JSON.parse(readFileSync(join(__dirname, 'public-api.json'), 'utf8')) as Record<string, string | string[]>

const surface = (): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {}
  for (const k of Object.keys(tf).sort()) {
    const v = (tf as Record<string, unknown>)[k]
    out[k] = typeof v === 'object' && v !== null ? Object.keys(v).sort() : typeof v
  }
  return out
}

describe('the public API', () => {
  it('has exactly the pinned top-level names', () => {
    expect(Object.keys(surface())).toEqual(Object.keys(pinned).sort())
  })
  it('each namespace has exactly its pinned members', () => {
    const s = surface()
    for (const k of Object.keys(pinned)) expect([k, s[k]]).toEqual([k, pinned[k]])
  })
  it('is listed explicitly: no `export * from` in the barrel and the namespace lists', () => {
    const src = join(__dirname, '..', 'src')
    const files = ['index.ts', 'callbacks.ts', 'layers/LayerNs.ts', 'layers/ModelNs.ts', 'layers/layers.ts', ...readdirSync(join(src, 'api')).map((f) => `api/${f}`)]
    for (const f of files) expect([f, /^\s*export \* from/m.test(readFileSync(join(src, f), 'utf8'))]).toEqual([f, false])
  })
  it('keeps internals out', () => {
    for (const k of ['primitives', 'nearest', 'levenshtein', 'withTraining', 'INTERNALS', 'makeLayer']) expect(k in tf).toBe(false)
    expect('Trainer' in tf.Trainer || 'compileOrThrow' in tf.Trainer || 'Callbacks' in tf.Trainer).toBe(false)
  })
})
