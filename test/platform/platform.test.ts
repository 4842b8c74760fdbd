/**
 * The Node/browser split: `#platform` (package.json `imports`) resolves to `platform/browser.js` under
 * the `browser` condition, so the package bundles for the browser with no shims (esbuild and Vite, from
 * the built package as a user gets it), and the browser's pieces agree with Node's (SHA-256). Loading
 * from an http(s) URL (fetch) is checked here in Node against a local server: same bounded decoding.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { build } from 'esbuild'
import { sequential, dense, save, load, Io, dataSync, tensor, type Tensor } from '../../src/index.js'
import { sha256 } from '../../src/platform/sha256.js'
import * as browserPlatform from '../../src/platform/browser.js'
import { fetchFileOps } from '../../src/io/browser.js'

const root = resolve(__dirname, '../..')
const tmp = join(root, 'tmp', 'test-platform')
const hasDist = existsSync(join(root, 'dist', 'src', 'platform', 'browser.js'))
const needDist = (): void => {
  if (!hasDist) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
}

beforeAll(() => {
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
})

describe('sha256 (the browser build digests weights without node:crypto)', () => {
  it('equals Node crypto on random bytes, across block boundaries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(sha256(b)).toBe(createHash('sha256').update(b).digest('hex'))
      }),
      { numRuns: 300 }
    )
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 128, 1 << 20]) {
      const b = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255)
      expect(sha256(b)).toBe(createHash('sha256').update(b).digest('hex'))
    }
  })
})

describe('the browser platform module', () => {
  it('refuses plain paths with a message naming what works there', async () => {
    const m = sequential([dense(2, { inputShape: [3] })], { seed: 1 })
    const r = await Io.save(m, 'models/m', { fileOps: browserPlatform.localFileOps })()
    expect(E.isLeft(r) && r.left._tag).toBe('FileWriteError')
    expect(E.isLeft(r) && r.left.message).toMatch(/indexeddb:\/\/.*downloads:\/\//)
    await expect(browserPlatform.openTextAppender('log.csv', false)).rejects.toThrow(/pass a sink/)
    expect(browserPlatform.getEnv('PATH')).toBeUndefined()
    expect(browserPlatform.loadWorkerPool()).toBeUndefined()
    expect(browserPlatform.joinPath('a/', 'b')).toBe('a/b')
    expect(browserPlatform.randomHex(6)).toMatch(/^[0-9a-f]{12}$/)
  })
})

describe('bundling the built package for the browser', () => {
  it('esbuild --platform=browser: no node: modules, the browser platform file, no process', async () => {
    needDist()
    const entry = join(tmp, 'entry.js')
    writeFileSync(entry, "import { sequential, dense, save, load, compileOrThrow, installWebGpu } from 'tensorfold'\nglobalThis.tf = { sequential, dense, save, load, compileOrThrow, installWebGpu }\n")
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // the repository's tsconfig maps '#platform' to the Node sources for tsc; a user's bundler never sees it
      tsconfigRaw: {},
      absWorkingDir: root
    })
    expect(r.errors).toEqual([])
    const inputs = Object.keys(r.metafile.inputs)
    expect(inputs.some((f) => f.endsWith('dist/src/platform/browser.js'))).toBe(true)
    expect(inputs.some((f) => f.endsWith('dist/src/platform/node.js'))).toBe(false)
    expect(inputs.filter((f) => f.startsWith('node:') || f.includes('webgpu/'))).toEqual([])
    expect(inputs.some((f) => f.includes('gpu.js/dist/gpu-browser'))).toBe(true)
    const out = r.outputFiles[0].text
    // `process` only as a guarded `globalThis.process` read (progress bar), never a free variable
    const free = out.split('\n').filter((l) => /(^|[^.\w$'"`])process\.(env|stdout|platform|argv)/.test(l) && !/globalThis\.process/.test(l))
    expect(free).toEqual([])
  })

  it('Vite builds a page that imports it, with no module externalized for browser compatibility', async () => {
    needDist()
    const dir = join(tmp, 'vite-app')
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    symlinkSync(root, join(dir, 'node_modules', 'tensorfold'), 'dir')
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n')
    writeFileSync(join(dir, 'main.js'), "import { sequential, dense, compileOrThrow, save } from 'tensorfold'\nconsole.log(sequential, dense, compileOrThrow, save)\n")
    const vite = await import('vite')
    const warnings: string[] = []
    await vite.build({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      build: { outDir: join(dir, 'dist'), write: true, rollupOptions: { onwarn: (w: { message: string }) => void warnings.push(w.message) } },
      customLogger: { ...vite.createLogger('silent'), warn: (m: string) => void warnings.push(m), warnOnce: (m: string) => void warnings.push(m) }
    } as never)
    expect(warnings.filter((w) => /externalized|Could not resolve/.test(w))).toEqual([])
    expect(existsSync(join(dir, 'dist', 'index.html'))).toBe(true)
  })
})

describe('loading from an http(s) URL (fetch), in Node', () => {
  let server: Server
  let base = ''
  const served = join(tmp, 'served')
  let chunked = false
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = join(served, decodeURIComponent((req.url ?? '/').split('?')[0]))
      if (!path.startsWith(served) || !existsSync(path)) {
        res.writeHead(404).end('not found')
        return
      }
      const data = readFileSync(path)
      if (chunked) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        res.write(data.subarray(0, data.length >> 1))
        res.end(data.subarray(data.length >> 1))
      } else res.writeHead(200, { 'content-length': String(data.length) }).end(data)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const model = sequential([dense(4, { inputShape: [3], activation: 'relu' }), dense(2)], { seed: 3 })
  const x = tensor([[1, 2, 3], [-1, 0.5, 2]])

  it('load(url) gives the saved model (with and without Content-Length)', async () => {
    await save(model, join(served, 'm'))
    for (const c of [false, true]) {
      chunked = c
      const m2 = await load(`${base}/m`)
      expect(Array.from(dataSync(m2.predict(x) as Tensor))).toEqual(Array.from(dataSync(model.predict(x) as Tensor)))
    }
    chunked = false
  })

  it('is bounded and tagged: too large, missing, and refusing to save', async () => {
    for (const c of [false, true]) {
      chunked = c
      const big = await Io.load(`${base}/m`, { maxJsonBytes: 64 })()
      expect(E.isLeft(big) && big.left._tag).toBe('FileTooLarge')
    }
    chunked = false
    const missing = await Io.load(`${base}/nothing`)()
    expect(E.isLeft(missing) && missing.left._tag).toBe('FileReadError')
    const w = await Io.save(model, `${base}/m2`)()
    expect(E.isLeft(w) && w.left.message).toMatch(/for loading only/)
  })

  it('a body longer than its announced length is refused, not truncated silently', async () => {
    const lying = (async () => ({
      ok: true,
      status: 200,
      headers: { get: () => null },
      body: new Response(new Uint8Array(100)).body
    })) as never
    await expect(fetchFileOps(lying).read('http://x/y', 10)).rejects.toThrow(/longer than the 10 bytes/)
    expect(await fetchFileOps(lying).size('http://x/y', 10)).toBe(11)
  })
})
