/**
 * `ready()` in Node: the synchronous choice (webasm), and a chosen backend is kept. Its browser side —
 * WebGPU picked when an adapter answers, WebGL2 otherwise — runs in headless Chromium
 * (test/browser/example.test.ts).
 */
import { describe, it, expect } from 'vitest'
import { ready, getBackend, setBackend } from '../../src/index.js'

describe('ready', () => {
  it('in Node resolves to the synchronous auto backend, webasm (Dawn stays opt-in)', async () => {
    const be = await ready()
    expect(be).toBe(getBackend())
    expect(be.name).toBe('webasm')
  })

  it('keeps a backend chosen with setBackend, and auto again after setBackend("auto")', async () => {
    const prev = getBackend()
    try {
      setBackend('reference')
      expect((await ready()).name).toBe('reference')
      setBackend('auto')
      expect((await ready()).name).toBe('webasm')
    } finally {
      setBackend(prev)
    }
  })
})
