/**
 * The MLP through tensorfold's Keras-style API, by name and fully typed: `sequential([dense…])`, then
 * `model.compile({optimizer: adam({learningRate}), loss: 'categoricalCrossentropy', runEagerly})`.
 */
import { sequential, dense, adam, type Tensor, type Trainer, type Callback } from '../../src/index.js'
import { MLP } from '../config.js'

/** A timing callback (state lives in the fold; this one keeps none). */
export type CallbackLike = Callback<null>
export type TrainerLike = Trainer

/** Which API the bench used (for the report). */
export const describeApi = (): Record<string, boolean> => ({ sequential: true, dense: true, modelCompile: true, adam: true })

/** The MLP `dims` (relu, relu, softmax) compiled with Adam 1e-3 and categorical cross-entropy. */
export const buildTrainer = (dims: ReadonlyArray<number>, runEagerly: boolean): { trainer: Trainer; optimizer: string } => {
  const [d0, d1, d2, d3] = dims
  const model = sequential([dense(d1, { inputShape: [d0], activation: 'relu' }), dense(d2, { activation: 'relu' }), dense(d3, { activation: 'softmax' })])
  const trainer = model.compile({ optimizer: adam({ learningRate: MLP.lr }), loss: 'categoricalCrossentropy', runEagerly })
  return { trainer, optimizer: 'adam({learningRate: 1e-3})' }
}

/** `trainer.predict(x)` as one tensor (first output). */
export const predictOne = async (trainer: Trainer, x: Tensor): Promise<Tensor> => {
  const out = await trainer.predict(x, { batchSize: 1000, verbose: 0 })
  return Array.isArray(out) ? (out as ReadonlyArray<Tensor>)[0] : (out as Tensor)
}
