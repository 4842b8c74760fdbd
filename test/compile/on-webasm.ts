/** Run a test body on the webasm backend (its kernel counts are what the tests read), restoring the backend after. */
import { getBackend, setBackend } from '../../src/index.js'
import type { GpujsBackend } from '../../src/backend/gpujs/backend.js'

export const onWebasm = <A>(f: (be: GpujsBackend) => A): A => {
  const prev = getBackend()
  setBackend('webasm')
  try {
    return f(getBackend() as unknown as GpujsBackend)
  } finally {
    setBackend(prev)
  }
}
