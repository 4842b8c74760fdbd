/**
 * Saving: `save(modelOrTrainer, dir)` writes `model.json` (the TensorFlow.js layers-model format:
 * topology + weights manifest, plus a `tensorfold` field TensorFlow.js ignores) and the weights file
 * it names, `weights-<sha256 prefix>.bin`.
 * A trainer adds its optimizer state (as weights of the manifest's `optimizer` group, which TensorFlow.js
 * skips), its step and its key, so training resumes exactly. `saveWeights` writes the weights alone
 * (`weights.json` + its weights file).
 *
 * Crash- and concurrency-safe: see the protocol in `fs.ts` (`commitSave`).
 *
 * @since 0.1.0
 */
import { sha256Hex } from '#platform'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as T from '../core/Tree.js'
import { isTrainer, type Trainer } from '../train/Trainer.js'
import { type Json } from './json.js'
import { ioError, type IoError } from './errors.js'
import { getConfig, isSavableModel, type SavableModel } from './model.js'
import { toKeras } from './tfjs.js'
import { encodeWeights, type NamedTensor } from './weights.js'
import { fileOpsFor, commitSave, weightsFileName, MODEL_JSON, WEIGHTS_JSON, type FileOps, type LockOptions, type SaveFile } from './fs.js'
import type { TreeSpec, ModelJson, TrainerSection, JsonRecord } from './codecs.js'

/** Options of `save` and `saveWeights`. */
export interface SaveOptions {
  /** how long to wait for another save of the same directory, and when its lock counts as stale */
  readonly lock?: Partial<LockOptions>
  /** @internal the file operations (tests inject faults) */
  readonly fileOps?: FileOps
}

export { MODEL_JSON, WEIGHTS_JSON }

/** The prefix of the optimizer-state weights of a saved trainer. */
export const OPTIMIZER_PREFIX = 'tensorfold/optimizer/'

const VERSION = 'tensorfold 0.1.0'

/** The structure of a tree, as JSON (`null` for a leaf). */
export const treeSpec = (t: T.Tree): TreeSpec => {
  const s = T.structure(t)
  const go = (x: T.Structure): TreeSpec => {
    switch (x._tag) {
      case 'Leaf':
        return null
      case 'List':
        return x.items.map(go)
      case 'Record': {
        const out: Record<string, TreeSpec> = {}
        x.keys.forEach((k, i) => Object.defineProperty(out, k, { value: go(x.items[i]), enumerable: true, writable: true }))
        return out
      }
    }
  }
  return go(s)
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** SHA-256 of bytes, hex. */
export const digest = (data: Uint8Array): string => sha256Hex(data)

const modelOf = (x: SavableModel | Trainer): E.Either<IoError, SavableModel> => {
  const m = isTrainer(x) ? x.model : x
  if (!isSavableModel(m)) return E.left(ioError('NotSavable', 'save', 'a Sequential or functional model, or a trainer of one', m))
  if (!m.built) return E.left(ioError('NotSavable', 'save', 'a built model (weights exist): build it, or fit/predict once', `model "${m.name}" not built`))
  return E.right(m)
}

const plainOptions = (t: Trainer): JsonRecord => {
  const c = t.config
  const o: Record<string, Json> = { seed: c.seed, runEagerly: c.runEagerly, lossWeights: [...c.lossWeights] }
  if (c.optimizerName !== undefined) o.optimizer = c.optimizerName
  if (c.sampleWeightMode !== undefined) o.sampleWeightMode = c.sampleWeightMode
  if (c.stepsPerExecution !== 1) o.stepsPerExecution = c.stepsPerExecution
  if (c.lossNames.every((n) => n !== undefined)) o.loss = c.lossNames as ReadonlyArray<string>
  return o
}

/** @internal The files of a save, as bytes: `[weights-<hash>.bin, model.json]` in write order. */
export const saveFiles = (x: SavableModel | Trainer): E.Either<IoError, readonly [SaveFile, SaveFile]> =>
  pipe(
    modelOf(x),
    E.chain((m) => {
      const named: NamedTensor[] = m.weights.map((w) => ({ name: w.name, tensor: w.value }))
      let trainer: TrainerSection | undefined
      if (isTrainer(x) && x.optState !== undefined) {
        T.leaves(x.optState).forEach((leaf, i) => named.push({ name: `${OPTIMIZER_PREFIX}${i}`, tensor: leaf, group: 'optimizer' }))
        trainer = { step: x.step, key: [...x.key.state] as unknown as TrainerSection['key'], optimizerState: treeSpec(x.optState), options: plainOptions(x) }
      } else if (isTrainer(x)) trainer = { step: x.step, key: [...x.key.state] as unknown as TrainerSection['key'], optimizerState: null, options: plainOptions(x) }
      const names = new Set<string>()
      for (const n of named) {
        if (names.has(n.name)) return E.left(ioError('NotSavable', `save: weight "${n.name}"`, 'unique weight names', n.name))
        names.add(n.name)
      }
      const { entries, data } = encodeWeights(named)
      const bin = weightsFileName(data)
      const keras = toKeras(getConfig(m))
      const doc: ModelJson = {
        format: 'layers-model',
        generatedBy: VERSION,
        convertedBy: null,
        modelTopology: keras.topology,
        weightsManifest: [{ paths: [bin], weights: entries }],
        tensorfold: { version: 1, model: keras.extras, weightsDigest: digest(data), ...(trainer !== undefined ? { trainer } : {}) }
      }
      return E.right([
        { name: bin, data },
        { name: MODEL_JSON, data: utf8(JSON.stringify(doc)) }
      ] as const)
    })
  )

/**
 * Save a model or a trainer to a directory (`model.json` + its weights file), crash-safe: at every
 * instant the directory loads as the old model or the new one.
 * @example await Io.save(model, 'tmp/my-model')() // Right(undefined)
 */
export const saveTE = (x: SavableModel | Trainer, dir: string, opts: SaveOptions = {}): TE.TaskEither<IoError, void> =>
  pipe(
    TE.fromEither(saveFiles(x)),
    TE.chain(([bin, json]) => commitSave(opts.fileOps ?? fileOpsFor(dir), dir, [bin], json, opts.lock))
  )

/**
 * Save only the weights of a model (`weights.json` manifest + its weights file), crash-safe like `save`.
 * @example await Io.saveWeights(model, 'tmp/w')()
 */
export const saveWeightsTE = (x: SavableModel | Trainer, dir: string, opts: SaveOptions = {}): TE.TaskEither<IoError, void> =>
  pipe(
    TE.fromEither(modelOf(x)),
    TE.chain((m) => {
      const { entries, data } = encodeWeights(m.weights.map((w) => ({ name: w.name, tensor: w.value })))
      const bin = weightsFileName(data)
      const doc = { format: 'weights', generatedBy: VERSION, weightsManifest: [{ paths: [bin], weights: entries }] }
      return commitSave(opts.fileOps ?? fileOpsFor(dir), dir, [{ name: bin, data }], { name: WEIGHTS_JSON, data: utf8(JSON.stringify(doc)) }, opts.lock)
    })
  )
