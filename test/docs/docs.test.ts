/**
 * Every ```ts block in docs/*.md runs. Blocks import the built package ('tensorfold',
 * 'tensorfold/laws'), so this also checks the published entry points. A block whose first line is
 * `// no-run` is shown only.
 */
import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(__dirname, '../..')
const docsDir = join(root, 'docs')
const outDir = join(root, 'tmp', 'docs-examples')
mkdirSync(outDir, { recursive: true })

const blocks = [...readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => join(docsDir, f)), join(root, 'README.md')]
  .map((path) => path.slice(root.length + 1))
  .flatMap((f) => {
    const text = readFileSync(join(root, f), 'utf8')
    const found = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    return found.map((code, i) => ({ file: f, index: i, code }))
  })
  .filter((b) => !b.code.startsWith('// no-run'))

describe('docs examples run', () => {
  it('found examples', () => expect(blocks.length).toBeGreaterThan(5))
  it.each(blocks.map((b) => [`${b.file} #${b.index + 1}`, b] as const))('%s', async (_name, b) => {
    const path = join(outDir, `${b.file.replace(/\W/g, '_')}_${b.index}.ts`)
    writeFileSync(path, `${b.code}\nexport {}\n`)
    const log = console.log
    console.log = () => undefined
    try {
      await import(pathToFileURL(path).href)
    } finally {
      console.log = log
    }
  })
})
