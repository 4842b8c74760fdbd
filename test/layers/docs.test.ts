/**
 * The examples of docs/layers.md and docs/models.md run: every ```ts block is extracted, its
 * `'tensorfold'` import pointed at src/, written under tmp/ (in the checkout itself, so worktrees sharing node_modules do not run each other's examples), imported, and its
 * `console.log` lines compared with the `// expected` comment beside them (text after ' — ' is a remark).
 */
import { describe, it, expect, vi, afterEach } from 'vitest'
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve, relative, dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { inspect } from 'node:util'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const outDir = join(root, 'tmp', 'layers-docs-examples')

/** The ```ts blocks of a markdown file (a block whose first line is `// no-run` is shown only, as test/docs). */
export const blocks = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => !b.startsWith('// no-run'))

const materialise = (file: string, i: number, code: string): string => {
  mkdirSync(outDir, { recursive: true })
  const path = join(outDir, `${file.replace(/[/.]/g, '_')}_${i}.ts`)
  const src = relative(outDir, join(root, 'src/index.js')).replace(/\\/g, '/')
  writeFileSync(path, code.replace(/from 'tensorfold'/g, `from '${src}'`))
  return path
}

/** Expected outputs written as `console.log(...) // a b c`. */
const expectations = (code: string): string[] =>
  code
    .split('\n')
    .filter((l) => /^\s*console\.log\(.*\)\s*\/\/ /.test(l))
    .map((l) => l.replace(/^.*\)\s*\/\/ /, '').replace(/ — .*$/, '').trim())

const normal = (s: string) =>
  s
    .replace(/"/g, "'")
    .replace(/\s*([[\]{}(),])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()

afterEach(() => vi.restoreAllMocks())

describe.each(['docs/layers.md', 'docs/models.md'])('%s', (file) => {
  const bs = blocks(file)
  it('has examples', () => expect(bs.length).toBeGreaterThanOrEqual(3))
  it.each(bs.map((b, i) => [i, b] as const))('example %i runs and prints what it says', async (i, code) => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 4, breakLength: Infinity }))).join(' '))
    })
    await import(pathToFileURL(materialise(file, i, code)).href)
    const logged = lines.filter((l) => !l.startsWith('Model: '))
    const want = expectations(code)
    want.forEach((w, j) => expect(normal(logged[j] ?? ''), `${file} example ${i}, console.log #${j}`).toBe(normal(w)))
  })
})

it('the summary printed in docs/models.md is the one the model prints', async () => {
  const { sequential, dense, dropout } = await import('../../src/index.js')
  const m = sequential([dense(8, { inputShape: [16], activation: 'relu' }), dropout(0.5), dense(1)], { name: 'mlp', seed: 42 })
  const md = readFileSync(join(root, 'docs/models.md'), 'utf8')
  const shown = /```\n(Model: "mlp"[\s\S]*?)```/.exec(md)?.[1]
  // Keras pads every row to the line width; the page shows the lines without their trailing spaces
  const trimmed = (t: string) => t.split('\n').map((l) => l.trimEnd()).join('\n')
  expect(shown?.trimEnd()).toBe(trimmed(m.summary({ printFn: () => undefined })))
})

it('the examples type-check (strict, as the project)', async () => {
  const ts = (await import('typescript')).default
  const files = ['docs/layers.md', 'docs/models.md'].flatMap((f) => blocks(f).map((b, i) => materialise(f, i, b)))
  const cfg = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })
  const program = ts.createProgram(files, { ...cfg!.options, noEmit: true, typeRoots: [join(root, 'node_modules/@types')] })
  // only the examples' own diagnostics (checking all of src/ again would be slow and is tsc's job)
  const diags = files.flatMap((f) => {
    const sf = program.getSourceFile(f)
    return sf ? [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)] : []
  })
  expect(diags.map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([])
}, 120_000)
