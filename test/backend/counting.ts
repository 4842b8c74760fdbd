/** A test double: the current backend with every method call counted by name (no threaded twin). */
import { getBackend } from '../../src/backend/index.js'
import type { Backend } from '../../src/backend/Backend.js'

export const counting = (): { be: Backend; calls: Map<string, number> } => {
  const base = getBackend() as Backend
  const calls = new Map<string, number>()
  const be = { ...base } as Record<string, unknown>
  for (const [k, f] of Object.entries(base))
    if (typeof f === 'function')
      be[k] = (...a: unknown[]) => {
        calls.set(k, (calls.get(k) ?? 0) + 1)
        return (f as (...a: unknown[]) => unknown).apply(base, a)
      }
  be.threaded = undefined
  return { be: be as unknown as Backend, calls }
}
