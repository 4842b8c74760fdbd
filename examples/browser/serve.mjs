/**
 * `npm run example:browser`: bundle examples/browser/main.ts for the browser with esbuild (from the
 * built package, as a user's bundler would: run `npm run build` first) and serve this folder on
 * http://127.0.0.1:8080 (PORT overrides). test/browser uses `bundle` and `serve` too.
 */
import { build } from 'esbuild'
import { createServer } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Bundle main.ts to main.js next to it (esbuild, platform browser, no shims). */
export const bundle = async () => {
  const r = await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(here, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    // resolve 'tensorfold' and '#platform' as a user's bundler does (package.json exports/imports);
    // the repository tsconfig's `paths` point at the Node sources for tsc and are not for bundles
    tsconfigRaw: {}
  })
  return r
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.bin': 'application/octet-stream' }

/** Serve `roots` (url prefix -> folder) on host:port; resolves with the server once it listens. */
export const serve = (roots, port = 8080, host = '127.0.0.1') =>
  new Promise((ok) => {
    const server = createServer(async (req, res) => {
      const url = decodeURIComponent((req.url ?? '/').split('?')[0])
      const prefix = Object.keys(roots).sort((a, b) => b.length - a.length).find((p) => url.startsWith(p))
      if (prefix === undefined) return void res.writeHead(404).end()
      const base = resolve(roots[prefix])
      let path = normalize(join(base, url.slice(prefix.length)))
      if (!path.startsWith(base)) return void res.writeHead(403).end()
      try {
        if ((await stat(path)).isDirectory()) path = join(path, 'index.html')
        const data = await readFile(path)
        res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'content-length': data.length })
        res.end(data)
      } catch {
        res.writeHead(404).end('not found')
      }
    })
    server.listen(port, host, () => ok(server))
  })

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle()
  const port = Number(process.env.PORT ?? 8080)
  await serve({ '/': here }, port)
  console.log(`tensorfold browser example: http://127.0.0.1:${port}/  (?backend=gpu | webasm | cpu | webgpu)`)
}
