/** The README's first example prints what its comments say (it once printed `undefined`: a trainer's predict is a Promise). */
import { it, expect } from 'vitest'
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(__dirname, '../..')

it('README "A taste" prints the loss count and the prediction shape it promises', async () => {
  const text = readFileSync(join(root, 'README.md'), 'utf8')
  const block = /## A taste\s*```ts\n([\s\S]*?)```/.exec(text)
  expect(block).not.toBeNull()
  const code = (block as RegExpExecArray)[1]
  // every console.log line carries its expected output as a trailing comment
  const expected = [...code.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map((m) => m[1].trim())
  expect(expected.length).toBeGreaterThanOrEqual(2)
  const dir = join(root, 'tmp', 'docs-examples')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'readme_taste.ts')
  writeFileSync(path, `${code}\nexport {}\n`)
  const printed: string[] = []
  const log = console.log
  console.log = (...args: unknown[]) => void printed.push(args.map((a) => JSON.stringify(a)).join(' '))
  try {
    await import(pathToFileURL(path).href)
  } finally {
    console.log = log
  }
  const norm = (s: string) => s.replace(/\s+/g, '')
  expect(printed.map(norm)).toEqual(expected.map(norm))
})
