/**
 * `npm run demo:cnn`, shortened: the same script on 1,200 digits for 2 epochs must print its progress,
 * summary and a test accuracy well above chance (the full run, 4 epochs on shifted copies, measured 0.9827).
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

describe('demo:cnn', () => {
  it('trains the Keras-style CNN on MNIST digits (short run)', () => {
    const root = resolve(import.meta.dirname, '../..')
    const r = spawnSync(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/cnn.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, EPOCHS: '2', TRAIN: '1200', TEST: '300', MIN_ACCURACY: '0.8' }
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/conv2d \(Conv2D\)\s+\(None, 26, 26, 16\)\s+160/)
    expect(r.stdout).toMatch(/Epoch 2\/2/)
    const acc = Number(/Test accuracy: ([0-9.]+)/.exec(r.stdout)?.[1])
    expect(acc).toBeGreaterThan(0.8)
  })
})
