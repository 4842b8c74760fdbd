/**
 * The browser example page (examples/browser) in real headless Chromium: bundled by esbuild from the
 * built package, it trains a small model with compiled `fit` on WebGL2 (SwiftShader), on WebGPU
 * (--enable-unsafe-webgpu: SwiftShader's Vulkan) — both picked by `auto` — and, in a third browser with
 * --disable-gpu, on the webasm fallback; saves to IndexedDB and loads back; loads a model
 * saved by Node from a URL; and offers a download. The test reads the result from the page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sequential, dense, save, tensor, dataSync, type Tensor } from '../../src/index.js'
import { browserSkipReason, launch } from './chromium.js'

const root = resolve(__dirname, '../..')
const tmp = join(root, 'tmp', 'test-browser')
const skip = browserSkipReason()
if (skip !== undefined) console.warn(`[test/browser] skipped: ${skip}`)

interface PageResult {
  readonly backend: string
  readonly backendNow: string
  readonly gpuKernels: number | undefined
  readonly epochs: number
  readonly firstLoss: number
  readonly loss: number
  readonly accuracy: number
  readonly indexedDbSame: boolean
  readonly fromUrl: ReadonlyArray<number>
  readonly probe: ReadonlyArray<number>
}

describe.skipIf(skip !== undefined)('the browser example page in headless Chromium', () => {
  let server: Server
  let base = ''
  const urlModel = sequential([dense(3, { inputShape: [2], activation: 'tanh' }), dense(1)], { seed: 7 })
  const probe = tensor([[0, 0.5], [1, -0.3], [-1, 0.2]])

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'platform', 'browser.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    await save(urlModel, join(tmp, 'models', 'small'))
    // @ts-expect-error a plain .mjs helper without types
    const ex = (await import('../../examples/browser/serve.mjs')) as { bundle: () => Promise<{ errors: unknown[] }>; serve: (roots: Record<string, string>, port: number) => Promise<Server> }
    const b = await ex.bundle()
    expect(b.errors).toEqual([])
    server = await ex.serve({ '/': join(root, 'examples', 'browser'), '/models/': join(tmp, 'models') }, 0)
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => (server === undefined ? undefined : new Promise<void>((r) => server.close(() => r()))))

  const run = async (gpu: 'swiftshader' | 'webgpu' | 'none', backend: string, extra = ''): Promise<{ result: PageResult; webgl2: boolean; download: string | undefined }> => {
    const b = await launch(gpu)
    try {
      const page = await b.context.newPage()
      const consoleLines: string[] = []
      page.on('console', (m) => consoleLines.push(m.text()))
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`))
      await page.goto(`${base}/?backend=${backend}&modelUrl=/models/small${extra.includes('epochs=') ? extra : `&epochs=10${extra}`}`, { waitUntil: 'commit', timeout: 60_000 })
      await page.waitForFunction(() => {
        const w = globalThis as unknown as { tensorfoldResult?: unknown; tensorfoldError?: unknown }
        return w.tensorfoldResult !== undefined || w.tensorfoldError !== undefined
      }, undefined, { timeout: 300_000 })
      const err = await page.evaluate(() => (globalThis as unknown as { tensorfoldError?: string }).tensorfoldError)
      if (err !== undefined) throw new Error(`the page failed: ${err}\nconsole:\n${consoleLines.join('\n')}`)
      const result = (await page.evaluate(() => (globalThis as unknown as { tensorfoldResult: unknown }).tensorfoldResult)) as PageResult
      const webgl2 = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { createElement(t: 'canvas'): { getContext(k: 'webgl2'): unknown } } }).document
        return doc.createElement('canvas').getContext('webgl2') !== null
      })
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }).catch(() => undefined), page.click('#download')])
      return { result, webgl2, download: dl?.suggestedFilename() }
    } finally {
      await b.close()
    }
  }

  const want = Array.from(dataSync(urlModel.predict(probe) as Tensor))
  const checks = (r: PageResult, epochs = 10): void => {
    expect(r.epochs).toBe(epochs)
    expect(r.loss).toBeLessThan(r.firstLoss)
    expect(r.accuracy).toBeGreaterThan(0.8)
    expect(r.indexedDbSame).toBe(true)
    r.fromUrl.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5))
  }

  let gl: PageResult | undefined
  it('trains with compiled fit on WebGL2 (SwiftShader), picked by auto', async () => {
    const { result, webgl2, download } = await run('swiftshader', 'auto')
    expect(webgl2).toBe(true)
    expect(result.backend).toBe('gpu')
    checks(result)
    expect(download).toMatch(/^moons\.(weights(-[0-9a-f]+)?\.bin|model\.json)$/)
    gl = result
  }, 300_000)

  it("trains on the page's WebGPU, picked by auto (ready) when an adapter answers, with WebGPU kernels", async () => {
    // 256 hidden units: the batch's matmuls and activations are large enough to run as WebGPU kernels
    const { result } = await run('webgpu', 'auto', '&units=256&epochs=3')
    expect(result.backend).toBe('webgpu')
    expect(result.backendNow).toBe('webgpu')
    checks(result, 3)
    // ready()'s probe compiles one kernel; fit's matmuls, their gradients and activations compile more
    expect(result.gpuKernels).toBeGreaterThan(4)
  }, 300_000)

  it('trains on the webasm fallback with --disable-gpu, to the same model as WebGL2 up to float32 rounding', async () => {
    const { result } = await run('none', 'webasm')
    expect(result.backend).toBe('webasm')
    checks(result)
    if (gl !== undefined) result.probe.forEach((v, i) => expect(Math.abs(v - gl!.probe[i])).toBeLessThan(2e-2))
  }, 300_000)
})
