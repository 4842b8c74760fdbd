#!/usr/bin/env node
/**
 * `npm run check:install`: install tensorfold the way a user does — from the packed tarball, into a
 * fresh scratch project, from the npm registry — and measure each documented setup (docs/install.md):
 *
 * - `default`: `npm install tensorfold` and nothing else;
 * - `light`:   `--omit=optional` (no native `gl` build) and an override that replaces gpu.js's unused
 *              `webgpu@0.2.9` dependency with an empty package;
 * - `dawn`:    WebGPU in Node: `webgpu@0.6.2` as the project's own dependency, and gpu.js's copy
 *              overridden to it (`"$webgpu"`), plus `--omit=optional`.
 *
 * For each: wall time, bytes in node_modules, packages, native add-ons found (`*.node`) and built
 * (`build/Release`), the `webgpu` versions present, whether `import('tensorfold')` trains a model, and
 * what `installWebGpu()` answers. Prints one JSON document (and writes tmp/install-check.json).
 *
 * Needs the network (the npm registry). `--variants=default,light` picks some; `--keep` keeps the
 * scratch projects.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, lstatSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const arg = (k) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const variants = (arg('variants') ?? 'default,light,dawn').split(',')
const keep = args.includes('--keep')

const run = (cmd, argv, cwd, env = {}) => {
  const t0 = performance.now()
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 })
  return { status: r.status, seconds: (performance.now() - t0) / 1000, out: `${r.stdout}${r.stderr}` }
}

const walk = (dir, f) => {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isSymbolicLink()) continue
    if (e.isDirectory()) walk(p, f)
    else f(p)
  }
}

const measure = (nm) => {
  let bytes = 0
  const addons = []
  walk(nm, (p) => {
    bytes += lstatSync(p).size
    if (p.endsWith('.node')) addons.push(p.slice(nm.length + 1))
  })
  const built = addons.filter((p) => p.includes('/build/Release/'))
  const packages = new Set()
  const webgpu = []
  walk(nm, (p) => {
    if (!p.endsWith('/package.json')) return
    const rel = p.slice(nm.length + 1)
    const parts = rel.split('/node_modules/').pop().split('/')
    const depth = parts[0].startsWith('@') ? 3 : 2
    if (parts.length !== depth) return
    try {
      const j = JSON.parse(readFileSync(p, 'utf8'))
      if (typeof j.name === 'string' && typeof j.version === 'string') {
        packages.add(`${rel}`)
        if (j.name === 'webgpu') webgpu.push(`${rel.replace(/\/package\.json$/, '')}@${j.version}`)
      }
    } catch {}
  })
  return { megabytes: Math.round(bytes / 1e5) / 10, packages: packages.size, addons, nativeBuilds: built, webgpu }
}

const smoke = `
import { sequential, dense, tensor, installWebGpu, getBackend } from 'tensorfold'
const m = sequential([dense(4, { inputShape: [2], activation: 'relu' }), dense(1)], { seed: 0 })
const t = m.compile({ optimizer: 'adam', loss: 'mse' })
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tensor([[0], [1], [1], [0]])
const r = await t.fit(x, y, { epochs: 3, verbose: 0 })
const w = await installWebGpu()
console.log(JSON.stringify({ fit: r.history.history.loss.length === 3, loss: r.history.history.loss.at(-1), backend: getBackend().name, installWebGpu: w.ok ? { ok: true, backend: w.backend } : { ok: false, module: w.module, reason: w.reason.slice(0, 300) } }))
`

const main = async () => {
  const work = join(root, 'tmp', 'install-check')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  if (!existsSync(join(root, 'dist', 'src', 'index.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const pack = run('npm', ['pack', '--pack-destination', work, '--json'], root)
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.out}`)
  const packed = JSON.parse(pack.out.slice(pack.out.indexOf('[')))[0]
  const tarball = join(work, packed.filename)
  const results = { tarball: { file: packed.filename, kilobytes: Math.round(packed.size / 1024), unpackedKilobytes: Math.round(packed.unpackedSize / 1024), files: packed.entryCount }, node: process.version, npm: run('npm', ['--version'], root).out.trim(), variants: {} }
  for (const v of variants) {
    const dir = mkdtempSync(join(tmpdir(), `tensorfold-install-${v}-`))
    const pkg = { name: `scratch-${v}`, version: '1.0.0', private: true, type: 'module' }
    const extra = []
    if (v === 'light') pkg.overrides = { 'gpu.js': { webgpu: 'npm:empty-npm-package@1.0.0' } }
    if (v === 'dawn') {
      pkg.dependencies = { webgpu: '0.6.2' }
      pkg.overrides = { webgpu: '$webgpu' }
    }
    if (v !== 'default') extra.push('--omit=optional')
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
    // a cold cache: every byte comes from the registry, as for a new user
    const cache = join(dir, '.npm-cache')
    const inst = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--cache', cache, ...extra, tarball], dir)
    rmSync(cache, { recursive: true, force: true })
    const m = measure(join(dir, 'node_modules'))
    writeFileSync(join(dir, 'smoke.mjs'), smoke)
    const s = run(process.execPath, ['smoke.mjs'], dir)
    const last = s.out.trim().split('\n').filter((l) => l.startsWith('{')).pop()
    const scriptsRan = [...inst.out.matchAll(/^> (\S+)@(\S+) (install|postinstall|preinstall)/gm)].map((x) => `${x[1]}@${x[2]} ${x[3]}`)
    results.variants[v] = {
      command: `npm install ${extra.join(' ')} tensorfold`.replace(/\s+/g, ' '),
      packageJson: { dependencies: pkg.dependencies, overrides: pkg.overrides },
      installStatus: inst.status,
      installSeconds: Math.round(inst.seconds * 10) / 10,
      ...m,
      installScriptsRan: scriptsRan,
      glBuildFailed: /gl@[\d.]+ install[\s\S]*?(gyp ERR!|prebuild-install warn)/.test(inst.out),
      smoke: last === undefined ? { error: s.out.slice(-800) } : JSON.parse(last)
    }
    if (!keep) rmSync(dir, { recursive: true, force: true })
    else results.variants[v].dir = dir
    process.stderr.write(`${v}: ${JSON.stringify(results.variants[v])}\n`)
  }
  writeFileSync(join(root, 'tmp', 'install-check.json'), JSON.stringify(results, null, 2))
  console.log(JSON.stringify(results, null, 2))
}

await main()
