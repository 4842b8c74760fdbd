/**
 * The MLP through tensorfold's Keras-style API: `sequential([dense…])`, compile with Adam 1e-3 and
 * categorical cross-entropy (`runEagerly: false` = compiled, `true` = eager), `fit(x, y, {batchSize: 128,
 * epochs, shuffle: true, verbose: 0, callbacks})`, then `predict` on the test set (accuracy on the host).
 *
 *   node --import tsx bench/mlp/tensorfold.ts <compiled|eager> [--epochs 3] [--quick]
 *
 * See bench/mlp/tfApi.ts for how the API is reached; when it is not exported yet the child reports
 * `ok: false` with the reason.
 */
import * as tfAll from '../../src/index.js'
import { accuracy, loadMnist, r, runChild } from '../common.js'
import { MLP } from '../config.js'
import { EpochClock, mlpArgs } from './common.js'
import { buildTrainer, describeApi, predictOne, type CallbackLike } from './tfApi.js'

const main = async (mode: 'compiled' | 'eager'): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(3))
  // --webgpu: the same code with the WebGPU backend (compiled replays on GPU kernels, eager ops on webasm)
  const onWebGpu = process.argv.includes('--webgpu')
  if (onWebGpu) {
    const w = await tfAll.installWebGpu()
    if (!w.ok) throw new Error(`WebGPU: ${w.reason}`)
  }
  const be = tfAll.setBackend(onWebGpu ? 'webgpu' : 'webasm')
  const clock = new EpochClock()
  const data = loadMnist()
  clock.dataLoaded()
  const x = tfAll.tensor(data.train.X, [data.train.n, 784])
  const y = tfAll.tensor(data.train.Y1, [data.train.n, 10])
  const { trainer, optimizer } = buildTrainer(MLP.dims, mode === 'eager')
  const timing: CallbackLike = {
    name: 'benchTiming',
    init: () => null,
    onEpochBegin: () => clock.epochStart(),
    onTrainBatchEnd: () => clock.step(),
    onEpochEnd: () => clock.epochEnd()
  }
  clock.trainBegin()
  const res = await trainer.fit(x, y, { batchSize: MLP.batch, epochs, shuffle: true, verbose: 0, callbacks: [timing] })
  const probs = await predictOne(res.trainer, tfAll.tensor(data.test.X, [data.test.n, 784]))
  const lossHist = res.history.history.loss
  return {
    backend: be.name,
    mode,
    optimizer,
    epochs,
    quick,
    nTrain: data.train.n,
    nTest: data.test.n,
    batch: MLP.batch,
    trainLoss: Array.isArray(lossHist) ? lossHist.map((v: number) => r(v, 4)) : null,
    testAcc: r(accuracy(tfAll.dataSync(probs), data.test.y), 4),
    ...clock.summary(data.train.n)
  }
}

const mode = process.argv[2] === 'eager' ? 'eager' : 'compiled'
runChild({ bench: 'mlp', id: process.argv.includes('--webgpu') ? 'tensorfold-webgpu' : `tensorfold-${mode}`, lib: 'tensorfold', api: `sequential + compile({runEagerly: ${mode === 'eager'}}) + fit`, apiExports: describeApi() }, () => main(mode))
