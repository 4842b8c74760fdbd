/**
 * The import rule of docs/architecture.md, checked on the source: value imports point down the stack,
 * no import cycle outside the primitives (whose VJPs call each other), only `src/platform/node.ts`
 * imports `node:` modules, only `src/backend/` imports gpu.js.
 */
import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, dirname, normalize, relative } from 'node:path'

const SRC = join(__dirname, '..', 'src')

/** The layers of the stack, bottom first. A folder may import (values) from its own rank or below. */
const RANK: Readonly<Record<string, number>> = {
  core: 0,
  platform: 0, // Node / browser specifics behind '#platform' (type imports only from above)
  backend: 1,
  primitives: 2,
  ad: 3,
  compile: 4,
  ops: 5,
  layers: 6,
  losses: 7,
  optimizers: 7,
  metrics: 8,
  data: 9,
  plot: 9,
  train: 10,
  io: 11,
  '.': 12, // the top-level files: index.ts (the barrel), facade.ts, callbacks.ts, datasets.ts, errors.ts
  api: 12 // the public namespaces' explicit member lists (re-exported by index.ts)
}

/** Known, documented exceptions to the rank rule: [from file, to file]. */
const EXCEPTIONS: ReadonlyArray<readonly [string, string]> = [
  // the scan primitive is defined with the AD machinery it replays; the registry lists it
  ['primitives/index.ts', 'ad/scan.ts'],
  // the scan kernel replays its body through jit's pure plan passes (prune, fuse: they import only core)
  ['ad/scanFuse.ts', 'compile/fuse.ts']
]

/** Known cycles outside the primitives, each to be removed (listed so that no new one creeps in): none left. */
const KNOWN_CYCLES: ReadonlyArray<ReadonlyArray<string>> = []

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : []
  })

interface Imports {
  readonly values: ReadonlyArray<string> // relative, resolved to src-relative .ts paths
  readonly bare: ReadonlyArray<string> // package and node: specifiers (values and types)
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm

const importsOf = (file: string): Imports => {
  const text = readFileSync(file, 'utf8')
  const values: string[] = []
  const bare: string[] = []
  for (const m of text.matchAll(IMPORT)) {
    const typeOnly = m[2] !== undefined
    const spec = m[4]
    if (spec.startsWith('.')) {
      if (!typeOnly) values.push(relative(SRC, normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')))))
    } else bare.push(spec)
  }
  return { values, bare }
}

const all = files(SRC).map((f) => relative(SRC, f))
const graph = new Map(all.map((f) => [f, importsOf(join(SRC, f))]))
const folder = (f: string): string => (f.includes('/') ? f.slice(0, f.indexOf('/')) : '.')

describe('architecture: the import rule', () => {
  it('every src folder has a place in the stack', () => {
    const unknown = [...new Set(all.map(folder))].filter((d) => RANK[d] === undefined)
    expect(unknown, 'add the folder to docs/architecture.md and to RANK here').toEqual([])
  })

  it('value imports point down the stack (or sideways within a rank)', () => {
    const up: string[] = []
    for (const [f, { values }] of graph)
      for (const g of values) {
        if (RANK[folder(g)] > RANK[folder(f)] && !EXCEPTIONS.some(([a, b]) => a === f && b === g)) up.push(`${f} -> ${g}`)
      }
    expect(up).toEqual([])
  })

  it('no import cycle outside the primitives (whose VJPs call each other)', () => {
    // Tarjan's strongly connected components over value imports
    let n = 0
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: string[] = []
    const on = new Set<string>()
    const cycles: string[][] = []
    const visit = (v: string): void => {
      index.set(v, n)
      low.set(v, n++)
      stack.push(v)
      on.add(v)
      for (const w of graph.get(v)?.values ?? []) {
        if (!graph.has(w)) continue
        if (!index.has(w)) {
          visit(w)
          low.set(v, Math.min(low.get(v)!, low.get(w)!))
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = []
        for (;;) {
          const w = stack.pop()!
          on.delete(w)
          comp.push(w)
          if (w === v) break
        }
        if (comp.length > 1) cycles.push(comp.sort())
      }
    }
    for (const v of graph.keys()) if (!index.has(v)) visit(v)
    expect(cycles.length).toBeGreaterThan(0) // the primitives' mutual VJPs are there: the check sees cycles
    const known = (c: ReadonlyArray<string>): boolean => KNOWN_CYCLES.some((k) => k.length === c.length && k.every((f, i) => f === c[i]))
    expect(cycles.filter((c) => !c.every((f) => f.startsWith('primitives/')) && !known(c))).toEqual([])
  })

  it("only src/platform/node.ts imports node: modules; only src/backend imports gpu.js", () => {
    const nodeUsers = all.filter((f) => graph.get(f)!.bare.some((s) => s.startsWith('node:')))
    expect(nodeUsers).toEqual(['platform/node.ts'])
    const gpuUsers = all.filter((f) => graph.get(f)!.bare.includes('gpu.js'))
    expect(gpuUsers.length).toBeGreaterThan(0)
    expect(gpuUsers.filter((f) => !f.startsWith('backend/'))).toEqual([])
  })
})
