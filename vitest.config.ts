import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // kernels for every size, so the laws exercise gpu.js even on tiny tensors (test/backend checks the forwarding)
    env: { TENSORFOLD_GPUJS_FORWARD: '0' },
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] }
  }
})
