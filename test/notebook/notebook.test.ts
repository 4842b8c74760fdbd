/**
 * The example notebook (examples/notebooks/training.ipynb) runs headless from the repository, as
 * shipped: Jupyter's nbconvert executes it on the tslab kernel, against the built package (its
 * `import ... from 'tensorfold'` resolves to this repository: at run time through the package's
 * self-reference, and for tslab's type check through examples/notebooks/node_modules/tensorfold, a
 * committed symlink to the repository root, since tslab resolves modules the pre-`exports` way).
 * Checked in the outputs: no error, the summary printed once, a tensor shown with its values, the
 * progress redrawn in place (`\r`), and the three SVG pictures.
 *
 * Needs `jupyter nbconvert` and a kernel named `tslab` (`npx tslab install`); where they are missing
 * the test skips with a message (it is not part of CI's toolchain).
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(__dirname, '../..')
const kernels = spawnSync('jupyter', ['kernelspec', 'list'], { encoding: 'utf8' })
const skip =
  kernels.status !== 0
    ? 'jupyter is not installed (apt-get install jupyter-nbconvert jupyter-client python3-ipykernel)'
    : !/\btslab\b/.test(kernels.stdout)
      ? 'no tslab kernel (npm install -g tslab && tslab install)'
      : undefined
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
})
