import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // the package.json `imports` entry '#platform' names built files; tests run the sources (tsconfig `paths` does the same for tsc and tsx)
  resolve: { alias: { '#platform': fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) } },
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
