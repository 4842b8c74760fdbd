/**
 * Every ```ts block of docs/optimizers.md and docs/losses-and-metrics.md runs, against the sources
 * ('tensorfold' and 'tensorfold/laws' are rewritten to src/ and laws/, so no build is needed; the
 * repository-wide test/docs runs the same blocks against the built package).
 */
import { describe, it, expect } from 'vitest'
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(__dirname, '../..')
const outDir = join(root, 'tmp', 'docs-examples-src')
mkdirSync(outDir, { recursive: true })

const files = ['optimizers.md', 'losses-and-metrics.md']
const blocks = files.flatMap((f) =>
  [...readFileSync(join(root, 'docs', f), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m, i) => ({ file: f, index: i, code: m[1] }))
    .filter((b) => !b.code.startsWith('// no-run'))
)

const toSources = (code: string): string =>
  code
    .replace(/from 'tensorfold\/laws'/g, `from '${pathToFileURL(join(root, 'laws', 'index.ts')).href}'`)
    .replace(/from 'tensorfold'/g, `from '${pathToFileURL(join(root, 'src', 'index.ts')).href}'`)

describe('optimizer, loss and metric docs examples run', () => {
  it('found examples in both files', () => {
    for (const f of files) expect(blocks.filter((b) => b.file === f).length, f).toBeGreaterThan(3)
  })
  it.each(blocks.map((b) => [`${b.file} #${b.index + 1}`, b] as const))('%s', async (_name, b) => {
    const path = join(outDir, `${b.file.replace(/\W/g, '_')}_${b.index}.ts`)
    writeFileSync(path, `${toSources(b.code)}\nexport {}\n`)
    const logged: unknown[][] = []
    const log = console.log
    console.log = (...xs: unknown[]) => void logged.push(xs)
    try {
      await import(pathToFileURL(path).href)
    } finally {
      console.log = log
    }
    expect(logged.length).toBeGreaterThan(0)
  })
})
