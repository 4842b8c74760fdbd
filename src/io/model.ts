/**
 * `getConfig` / `fromConfig`: a model as plain, decodable data and back. The config of a model is the
 * model's own `config` (`{name, seed, layers: [{kind, config}], …}`) tagged with its kind; `fromConfig`
 * decodes it with the codecs of `codecs.ts`, rebuilds every layer (built-ins by kind, custom ones from
 * the caller's `layers`), and builds the model with the saved seed.
 *
 * Law (test/io/config.test.ts): `getConfig(fromConfig(getConfig(m)))` equals `getConfig(m)`, and
 * `ModelConfigC.decode(JSON round trip of getConfig(m))` is `Right(getConfig(m))`.
 *
 * While rebuilding for `load`, a *budget* (budget.ts) bounds the weights that built-in layers may
 * allocate: a file cannot declare a `dense(2**30)` or a `conv2d(2**20, 64)` and make the loader allocate
 * it; the budget is what the weights file really holds.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import type { TfError } from '../core/errors.js'
import type { ModelLike, BatchShape } from '../layers/Model.js'
import type { AnyLayer, LayerIO } from '../layers/Layer.js'
import * as Seq from '../layers/sequential.js'
import * as Fn from '../layers/functional.js'
import { inputE, connect, type SymbolicTensor } from '../layers/symbolic.js'
import { type ModelConfig, type SequentialConfig, type FunctionalConfig, type LayerConfig, ModelConfigC, decodeWith, type JsonRecord, type Ref } from './codecs.js'
import { ioError, asIoError, isIoError, type IoError } from './errors.js'
import { layerFromConfig, type CustomLayers } from './layers.js'
import { guarded, type Budget } from './budget.js'

/** A model tensorfold can save: a Sequential or a functional model. */
export type SavableModel = Seq.Sequential | Fn.Model

/** Whether a value is a model tensorfold can save. */
export const isSavableModel = (u: unknown): u is SavableModel => Seq.isSequential(u) || Fn.isModel(u)

/**
 * The config of a model: `{kind: 'Sequential' | 'Functional', config}`, plain JSON.
 * @example Io.getConfig(sequential([dense(2, { inputShape: [3] })])).kind // 'Sequential'
 */
export const getConfig = (m: SavableModel): ModelConfig => ({ kind: m.kind, config: m.config } as unknown as ModelConfig)

export type { Budget } from './budget.js'

const layerFrom = (path: string, lc: LayerConfig, custom: CustomLayers, budget: Budget | undefined): E.Either<IoError, AnyLayer> =>
  lc.kind === 'Sequential' || lc.kind === 'Functional'
    ? (fromConfigU(path, { kind: lc.kind, config: lc.config }, custom, budget) as E.Either<IoError, AnyLayer>)
    : E.map((l: AnyLayer) => guarded(l, budget, path))(layerFromConfig(path, lc.kind, lc.config, custom))

/** A model constructor's error at a path; an io error inside it (a layer over budget) is the one reported. */
const built = (path: string) => (e: TfError): IoError => {
  for (let c: unknown = e; typeof c === 'object' && c !== null; c = (c as TfError).cause) if (isIoError(c)) return c
  return asIoError('InvalidLayerConfig', path, e)
}

const sequentialFrom = (path: string, c: SequentialConfig, custom: CustomLayers, budget: Budget | undefined): E.Either<IoError, ModelLike> => {
  const layers: AnyLayer[] = []
  for (let i = 0; i < c.layers.length; i++) {
    const l = layerFrom(`${path}.layers[${i}]`, c.layers[i], custom, budget)
    if (E.isLeft(l)) return l
    layers.push(l.right)
  }
  return pipe(
    Seq.make(layers as unknown as ReadonlyArray<Seq.SeqItem>, { name: c.name, seed: c.seed, ...(c.inputShape ? { inputShape: c.inputShape } : {}) }),
    E.mapLeft(built(path)),
    E.map((m) => m as unknown as ModelLike)
  )
}

const functionalFrom = (path: string, c: FunctionalConfig, custom: CustomLayers, budget: Budget | undefined): E.Either<IoError, ModelLike> => {
  const inputs: SymbolicTensor[] = []
  for (let i = 0; i < c.inputs.length; i++) {
    const s = c.inputs[i].shape
    if (s.some((d) => d === null)) return E.left(ioError('InvalidModelFile', `${path}.inputs[${i}].shape`, 'known feature sizes', s))
    const x = inputE({ shape: s as ReadonlyArray<number>, name: c.inputs[i].name })
    if (E.isLeft(x)) return E.left(built(`${path}.inputs[${i}]`)(x.left))
    inputs.push(x.right)
  }
  const byName = new Map<string, AnyLayer>()
  for (let i = 0; i < c.layers.length; i++) {
    const l = layerFrom(`${path}.layers[${i}]`, c.layers[i], custom, budget)
    if (E.isLeft(l)) return l
    byName.set(l.right.name, l.right)
  }
  const results: Array<SymbolicTensor | ReadonlyArray<SymbolicTensor>> = []
  const resolve = (where: string, r: Ref): E.Either<IoError, SymbolicTensor> => {
    if (r[0] === 'input') return r[1] < inputs.length ? E.right(inputs[r[1]]) : E.left(ioError('InvalidModelFile', where, `an input index below ${inputs.length}`, r[1]))
    if (r[1] >= results.length) return E.left(ioError('InvalidModelFile', where, `a node index below ${results.length} (nodes refer to earlier nodes only)`, r[1]))
    const v = results[r[1]]
    if (!Array.isArray(v)) return E.right(v as SymbolicTensor)
    const k = r[2] ?? 0
    return k < v.length ? E.right(v[k]) : E.left(ioError('InvalidModelFile', where, `an output index below ${v.length}`, k))
  }
  for (let j = 0; j < c.nodes.length; j++) {
    const n = c.nodes[j]
    const where = `${path}.nodes[${j}]`
    const l = byName.get(n.layer)
    if (l === undefined) return E.left(ioError('InvalidModelFile', `${where}.layer`, `one of the layer names ${JSON.stringify([...byName.keys()])}`, n.layer))
    const xs: SymbolicTensor[] = []
    for (let k = 0; k < n.inputs.length; k++) {
      const x = resolve(`${where}.inputs[${k}]`, n.inputs[k])
      if (E.isLeft(x)) return x
      xs.push(x.right)
    }
    if (xs.length === 0) return E.left(ioError('InvalidModelFile', `${where}.inputs`, 'at least one input', []))
    const y = connect(l as never, (l.multiInput === true ? xs : xs[0]) as never)
    if (E.isLeft(y)) return E.left(built(where)(y.left))
    results.push(y.right as SymbolicTensor | ReadonlyArray<SymbolicTensor>)
  }
  const outs: SymbolicTensor[] = []
  for (let k = 0; k < c.outputs.length; k++) {
    const o = resolve(`${path}.outputs[${k}]`, c.outputs[k])
    if (E.isLeft(o)) return o
    outs.push(o.right)
  }
  const shaped = (style: 'single' | 'list' | 'record', xs: ReadonlyArray<SymbolicTensor>, names: ReadonlyArray<string>, what: string): E.Either<IoError, Fn.Ends> => {
    if (style === 'single') return xs.length === 1 ? E.right(xs[0]) : E.left(ioError('InvalidModelFile', `${path}.${what}Style`, `'list' for ${xs.length} ${what}s`, style))
    if (style === 'list') return E.right(xs)
    if (names.length !== xs.length) return E.left(ioError('InvalidModelFile', `${path}.${what}Names`, `${xs.length} names`, names.length))
    const rec: Record<string, SymbolicTensor> = {}
    names.forEach((nm, i) => Object.defineProperty(rec, nm, { value: xs[i], enumerable: true, writable: false }))
    return E.right(rec)
  }
  const ins = shaped(c.inputStyle, inputs, c.inputNames, 'input')
  if (E.isLeft(ins)) return ins
  const os = shaped(c.outputStyle, outs, c.outputNames, 'output')
  if (E.isLeft(os)) return os
  return pipe(
    Fn.make({ inputs: ins.right, outputs: os.right, name: c.name, seed: c.seed }),
    E.mapLeft(built(path)),
    E.map((m) => m as unknown as ModelLike)
  )
}

const fromConfigU = (path: string, u: unknown, custom: CustomLayers, budget: Budget | undefined): E.Either<IoError, ModelLike> =>
  pipe(
    decodeWith(ModelConfigC, path)(u),
    E.chain((c) => (c.kind === 'Sequential' ? sequentialFrom(path, c.config, custom, budget) : functionalFrom(path, c.config, custom, budget)))
  )

/**
 * Rebuild a model from its config (decoded first: anything else is a `Left` naming the path).
 * @example Io.fromConfig(Io.getConfig(model)) // Right(a model with the same layers, fresh weights from its seed)
 */
export const fromConfig = (config: unknown, opts: { readonly layers?: CustomLayers } = {}): E.Either<IoError, SavableModel> =>
  fromConfigU('config', config, opts.layers ?? {}, undefined) as E.Either<IoError, SavableModel>

/** @internal `fromConfig` for `load`: paths name the file, and built-in layers allocate within `budget`. */
export const fromConfigBounded = (path: string, config: unknown, custom: CustomLayers, budget: Budget): E.Either<IoError, SavableModel> =>
  fromConfigU(path, config, custom, budget) as E.Either<IoError, SavableModel>

/** The weight values of a model in order, with names (Keras's `dense/kernel`). */
export const namedWeights = (m: SavableModel): ReadonlyArray<{ readonly name: string; readonly value: Tensor }> => m.weights.map((w) => ({ name: w.name, value: w.value }))

export type { BatchShape, LayerIO, JsonRecord }
