/**
 * The example notebook (examples/notebooks/training.ipynb) runs headless from the repository, as
 * shipped: Jupyter's nbconvert executes it on the tslab kernel, against the built package (its
 * `import ... from 'tensorfold'` resolves to this repository: at run time through the package's
 * self-reference, and for tslab's type check through examples/notebooks/node_modules/tensorfold, a
 * committed symlink to the repository root, since tslab resolves modules the pre-`exports` way).
 * Checked in the outputs: no error, the summary printed once, a tensor shown with its values, the
 * progress bar, and the three SVG pictures. A second test runs one cell through jupyter_client and reads
 * the kernel's messages: the bar is a display entry per epoch, updated live (update_display_data).
 *
 * Needs `jupyter nbconvert` and a kernel named `tslab` (`npx tslab install`). `.ci/run` installs both
 * (Debian's Jupyter packages; tslab pinned by .ci/tools/package-lock.json); in CI (`CI` set) a missing
 * toolchain fails the file, elsewhere it skips with a message.
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'

const root = resolve(__dirname, '../..')
const kernels = spawnSync('jupyter', ['kernelspec', 'list'], { encoding: 'utf8' })
const skip =
  kernels.status !== 0
    ? 'jupyter is not installed (apt-get install jupyter-nbconvert jupyter-client python3-ipykernel)'
    : !/\btslab\b/.test(kernels.stdout)
      ? 'no tslab kernel (npm install -g tslab && tslab install)'
      : undefined
// as for the browser tests: in CI (`CI` set) .ci/run installs both, and their absence is a failure, not a skip
if (skip !== undefined && process.env.CI) throw new Error(`test/notebook: ${skip} — CI must have it (.ci/run installs it)`)
if (skip !== undefined) console.warn(`[test/notebook] skipped: ${skip}`)

interface Output {
  readonly output_type: string
  readonly text?: string | string[]
  readonly name?: string
  readonly data?: Record<string, string | string[]>
  readonly ename?: string
  readonly evalue?: string
}
const text = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''))

describe.skipIf(skip !== undefined)('the example notebook', () => {
  it('runs headless on tslab with a summary once, a readable tensor, live progress and the plots', () => {
    if (!existsSync(join(root, 'dist', 'src', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
    const out = join(root, 'tmp', 'notebook')
    mkdirSync(out, { recursive: true })
    const r = spawnSync(
      'jupyter',
      ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.timeout=600', '--output-dir', out, join(root, 'examples', 'notebooks', 'training.ipynb')],
      { cwd: join(root, 'examples', 'notebooks'), encoding: 'utf8', env: { ...process.env, CI: '' } }
    )
    expect(r.status, r.stderr).toBe(0)
    const nb = JSON.parse(readFileSync(join(out, 'training.ipynb'), 'utf8')) as { cells: { source: string[]; outputs?: Output[] }[] }
    const outputs = nb.cells.flatMap((c) => c.outputs ?? [])
    expect(outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`)).toEqual([])
    const all = outputs.map((o) => `${text(o.text)}${text(o.data?.['text/plain'])}`).join('\n')
    expect(all.match(/Total params/g)?.length).toBe(1)
    expect(all).toMatch(/Tensor\(shape=\[256, 3\], dtype=float32\)\n\[\[/)
    // the bar (verbose 1, redrawn with \r in a kernel), not one plain line per epoch
    expect(all).toMatch(/7\/7 \[={30}\]/)
    const svgs = outputs.filter((o) => o.data?.['image/svg+xml'] !== undefined)
    expect(svgs.length).toBe(3)
  }, 600_000)

  it('updates the progress bar live: one display entry per epoch, overwritten by update_display_data messages', () => {
    if (!existsSync(join(root, 'dist', 'src', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
    // the Python that runs jupyter has jupyter_client
    const jupyter = execFileSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).trim()
    const shebang = readFileSync(jupyter, 'utf8').split('\n')[0]
    const python = shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/) : ['python3']
    const cell = [
      "import { sequential, dense, randomNormal, key } from 'tensorfold'",
      "const m = sequential([dense(16, { inputShape: [8], activation: 'relu' }), dense(1)], { seed: 0 })",
      "const t = m.compile({ optimizer: 'adam', loss: 'mse' })",
      'await t.fit(randomNormal(key(1), [4096, 8]), randomNormal(key(2), [4096, 1]), { epochs: 2, batchSize: 16 })'
    ].join('\n')
    const r = spawnSync(python[0], [...python.slice(1), join(__dirname, 'live-progress.py'), join(root, 'examples', 'notebooks'), cell], { encoding: 'utf8', timeout: 300_000 })
    expect(r.status, r.stderr).toBe(0)
    const rep = JSON.parse(r.stdout) as { status: string; displays: string[]; updates: { id: string; text: string }[]; stdout: string; errors: string[] }
    expect(rep.errors).toEqual([])
    expect(rep.status).toBe('ok')
    expect(rep.displays.length).toBe(2)
    // the bar is drawn into the entries, not onto stdout
    expect(rep.stdout).not.toMatch(/Epoch|\[=/)
    for (const [i, id] of rep.displays.entries()) {
      const mine = rep.updates.filter((u) => u.id === id)
      expect(mine.length).toBeGreaterThan(1)
      expect(mine[0].text).toMatch(new RegExp(`^Epoch ${i + 1}/2\\n\\s*\\d+/256 \\[`))
      expect(mine[mine.length - 1].text).toMatch(new RegExp(`^Epoch ${i + 1}/2\\n256/256 \\[={30}\\] - .* - loss: \\d`))
    }
  }, 300_000)
})
