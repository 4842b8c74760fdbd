/**
 * The API docs build with the project's TypeScript (typedoc supports TypeScript ≤ 6.0; see README),
 * name the package's entry points as users import them, and show the functional surface's members.
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

interface Reflection {
  readonly name: string
  readonly kind: number
  readonly children?: ReadonlyArray<Reflection>
}
const NAMESPACE = 4

describe('API docs', () => {
  it('typedoc builds them with no errors, entry points named tensorfold and tensorfold/laws, namespaces with members', () => {
    const root = resolve(__dirname, '../..')
    mkdirSync(resolve(root, 'tmp'), { recursive: true })
    const out = resolve(root, 'tmp', 'api-test.json')
    const r = spawnSync(process.execPath, [resolve(root, 'node_modules/typedoc/bin/typedoc'), '--json', out, '--out', resolve(root, 'tmp', 'api-test-html')], { cwd: root, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(`${r.stdout}${r.stderr}`).toMatch(/Found 0 errors/)
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Reflection
    expect(doc.children?.map((m) => m.name)).toEqual(['tensorfold', 'tensorfold/laws'])
    const main = doc.children![0]
    for (const [ns, member] of [['Trainer', 'fit'], ['Sequential', 'make'], ['Model', 'summary'], ['Layer', 'dense']] as const) {
      const page = main.children?.find((c) => c.name === ns && c.kind === NAMESPACE)
      expect(page, `${ns} is documented as a namespace`).toBeDefined()
      expect(page!.children?.map((c) => c.name)).toContain(member)
    }
  }, 400_000) // typedoc type-checks the whole package: minutes on two busy cores
})
