/** The API docs build with the project's TypeScript (typedoc supports TypeScript ≤ 6.0; see README). */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

describe('API docs', () => {
  it('typedoc builds them with no errors', () => {
    const root = resolve(__dirname, '../..')
    const r = spawnSync(process.execPath, [resolve(root, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none'], { cwd: root, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(`${r.stdout}${r.stderr}`).toMatch(/Found 0 errors/)
  })
})
