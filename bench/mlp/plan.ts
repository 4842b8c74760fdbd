/**
 * The compiled plan of the bench MLP's training step (784-128-64-10, relu, softmax, categorical
 * cross-entropy, Adam, batch 128, webasm): each step after `prune` and `fuse`, with its shapes, and the
 * counts (steps, fused steps, plain kernel steps).
 *
 *   npx tsx bench/mlp/plan.ts [--quiet]
 *
 * It records `makeStepFn` once (as `jit` does on a step's first call) and prints what a replay runs (a
 * step with several results lists them all: `fuseSiblings`).
 */
import * as tf from '../../src/index.js'
import type { Trainer } from '../../src/index.js'
import { makeStepFn } from '../../src/train/step.js'
import { arrayBatch } from '../../src/train/batches.js'
import type { ArrayDataset } from '../../src/train/data.js'
import { record } from '../../src/compile/record.js'
import { fuse, fuseSiblings, prune, sinkDependents } from '../../src/compile/fuse.js'
import { THREADED_MIN_MACS } from '../../src/backend/gpujs/matmul-ops.js'
import type { Ref } from '../../src/compile/plan.js'
import type * as Tree from '../../src/core/Tree.js'
import { hasFlag } from '../common.js'
import { MLP } from '../config.js'
import { buildTrainer } from './tfApi.js'

const main = async (): Promise<void> => {
  tf.setBackend('webasm')
  const n = MLP.batch * 2
  const X = new Float32Array(n * 784).map((_, i) => (i % 97) / 97)
  const Y = new Float32Array(n * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0))
  const { trainer } = buildTrainer(MLP.dims, false)
  const t: Trainer = (await trainer.fit(tf.tensor(X, [n, 784]), tf.tensor(Y, [n, 10]), { batchSize: MLP.batch, epochs: 1, verbose: 0 })).trainer
  const d: ArrayDataset = { n, xs: [{ data: X, shape: [n, 784] }], ys: [{ data: Y, shape: [n, 10] }], sw: [undefined] }
  const b = arrayBatch(d, 0, MLP.batch, Int32Array.from({ length: n }, (_, i) => i))
  const inputs = { params: t.params, optState: t.optState as Tree.Tree, state: t.state, xs: b.xs, ys: b.ys as ReadonlyArray<tf.Tensor>, sampleWeight: [tf.ones([MLP.batch])] }
  const step = makeStepFn({ model: t.model, losses: t.config.losses, lossWeights: t.config.lossWeights, optimizer: t.config.optimizer })
  const rec = record(step, inputs, t.stepKey())
  if (rec.plan === 'impure') throw new Error('the step read a value back to the host')
  // as `jit` compiles it on webasm: pruned, fused, fused steps computed with the fused steps they read, and
  // each matmul's dependents after the steps that do not need it
  const plan = sinkDependents(fuseSiblings(fuse(prune(rec.plan))), THREADED_MIN_MACS)
  const ref = (r: Ref): string => (r.k === 'in' ? `in${r.i}` : r.k === 'slot' ? `s${r.i}` : 'const')
  const shape = (s: ReadonlyArray<number>): string => `[${s.join(',')}]`
  if (!hasFlag(process.argv.slice(2), 'quiet'))
    plan.steps.forEach((st, i) => {
      const what =
        st.kind === 'random'
          ? 'random'
          : st.kind === 'fused'
            ? `fused ${shape(st.shape)} <- ${st.ins.map((r, j) => `${ref(r)}${shape(st.inShapes[j])}`).join(' ')}`
            : `${st.def.name} ${shape(st.spec.shape)} <- ${st.ins.map((r, j) => `${ref(r)}${shape(st.inShapes[j])}`).join(' ')}`
      const outs = st.kind === 'fused' && st.more !== undefined ? [st.out, ...st.more.map((m) => m.out)].map((o) => `s${o}`).join(', ') : `s${st.out}`
      console.log(`${String(i).padStart(3)} ${outs} = ${what}`)
    })
  const kernels = plan.steps.filter((st) => st.kind === 'op' && st.def.name !== 'reshape').length
  const siblings = plan.steps.filter((st) => st.kind === 'fused' && st.more !== undefined).length
  console.log(`steps ${plan.steps.length} (recorded ${rec.plan.steps.length}), fused ${plan.steps.filter((st) => st.kind === 'fused').length} (${siblings} computing several results), other ops ${kernels} (reshapes not counted)`)
}
void main()
