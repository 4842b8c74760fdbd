/**
 * Loading, treating every file as untrusted data:
 *
 * 1. `model.json`'s size is checked before it is read; it is parsed as JSON and walked once, refusing
 *    prototype keys, deep nesting and non-finite numbers; then decoded with the codecs of `codecs.ts`.
 * 2. The manifest is checked before any weight is read: unique names, float32/int32 only, small
 *    shapes, an element total within `maxElements`, and the weights files' real sizes equal to what the
 *    manifest declares.
 * 3. The topology is rebuilt from built-in layers and the caller's `layers` only; built-in layers
 *    allocate within what the weights file holds.
 * 4. Every weight of the model must be in the file with its shape, and every model weight of the file
 *    must be used. Only then is a model returned: there is no partial model.
 *
 * Every failure is an `IoError` (see `errors.ts`); nothing else is thrown or rejected.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Tensor } from '../core/Tensor.js'
import * as T from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import { TensorfoldError, toTfError } from '../core/errors.js'
import { shapeEq } from '../core/Shape.js'
import * as C from '../layers/common.js'
import { Trainer } from '../train/Trainer.js'
import { compile } from '../train/compile.js'
import type { CompileOptionsInput } from '../train/options.js'
import { parseJson, defaultJsonLimits } from './json.js'
import { ModelJsonC, WeightsJsonC, decodeWith, type ModelJson, type TreeSpec, type WeightsManifest } from './codecs.js'
import { ioError, asIoError, isIoError, type IoError } from './errors.js'
import { fromConfigBounded, type SavableModel } from './model.js'
import { fromKeras } from './tfjs.js'
import type { CustomLayers } from './layers.js'
import { planManifest, decodeGroup, DEFAULT_MAX_ELEMENTS, type NamedTensor } from './weights.js'
import { fileOpsFor, join, readBounded, removeLeftovers, type FileOps } from './fs.js'
import { MODEL_JSON, WEIGHTS_JSON, OPTIMIZER_PREFIX, digest } from './save.js'

/** Options of `load`. */
export interface LoadOptions {
  /** custom layer constructors by kind: `{ layers: { myLayer } }` (no global registry) */
  readonly layers?: CustomLayers
  /** the most weight values the files may declare (default 2^28) */
  readonly maxElements?: number
  /** the largest `model.json` accepted, in bytes (default 32 MiB) */
  readonly maxJsonBytes?: number
  /** the most layers a model file may declare (default 5,000): building each costs far more than its bytes */
  readonly maxLayers?: number
  /** @internal the file operations (tests inject faults) */
  readonly fileOps?: FileOps
}

/** Options of `loadTrainer`: `load`'s, plus compile options for what the file cannot hold (functions, metrics). */
export interface LoadTrainerOptions extends LoadOptions {
  /** compile options; the saved optimizer name, loss names, loss weights, seed and runEagerly are the defaults */
  readonly compile?: Partial<CompileOptionsInput>
}

const decodeUtf8 = (file: string, bytes: Uint8Array): E.Either<IoError, string> => {
  try {
    return E.right(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return E.left(ioError('InvalidJson', file, 'UTF-8 JSON text', `${bytes.length} bytes that are not UTF-8`))
  }
}

/** Read and decode a JSON document of the directory. */
const readDoc = <A>(ops: FileOps, dir: string, name: string, decode: (u: unknown) => E.Either<IoError, A>, maxBytes: number): TE.TaskEither<IoError, A> =>
  pipe(
    readBounded(ops, join(dir, name), maxBytes),
    TE.chainEitherK((bytes) => decodeUtf8(name, bytes)),
    TE.chainEitherK((text) => parseJson(name, text, { ...defaultJsonLimits, maxBytes })),
    TE.chainEitherK(decode)
  )

/** Read the weights a manifest declares, checking every size before reading. */
const readWeights = (ops: FileOps, dir: string, file: string, manifest: WeightsManifest, maxElements: number): TE.TaskEither<IoError, { readonly weights: ReadonlyArray<NamedTensor>; readonly bytes: ReadonlyArray<Uint8Array> }> => async () => {
  const plans = planManifest(file, manifest, maxElements)
  if (E.isLeft(plans)) return plans
  // sizes first: nothing is read unless every file is exactly as large as the manifest says
  const sizes: number[][] = []
  for (let g = 0; g < plans.right.length; g++) {
    const p = plans.right[g]
    const ss: number[] = []
    for (const path of p.paths) {
      const s = await ops.size(join(dir, path), p.bytes)
      if (s === undefined) return E.left(ioError('FileReadError', join(dir, path), 'a readable weights file', 'no such file'))
      ss.push(s)
    }
    const total = ss.reduce((a, b) => a + b, 0)
    if (total !== p.bytes)
      return E.left(
        ioError('InvalidWeights', `${join(dir, p.paths.join('+'))}`, `${p.bytes} bytes (the manifest's ${p.entries.length} weights)`, total, `${join(dir, p.paths.join(', '))}: expected ${p.bytes} bytes for the ${p.entries.length} weights of the manifest, the file${p.paths.length > 1 ? 's have' : ' has'} ${total}${total < p.bytes ? ' (truncated?)' : ''}`)
      )
    sizes.push(ss)
  }
  const weights: NamedTensor[] = []
  const bytes: Uint8Array[] = []
  for (let g = 0; g < plans.right.length; g++) {
    const p = plans.right[g]
    const data = new Uint8Array(p.bytes)
    let off = 0
    for (let i = 0; i < p.paths.length; i++) {
      const path = join(dir, p.paths[i])
      let part: Uint8Array
      try {
        part = await ops.read(path, sizes[g][i])
      } catch (err) {
        return E.left(ioError('FileReadError', path, 'a readable weights file', err instanceof Error ? err.message : String(err)))
      }
      if (part.length !== sizes[g][i]) return E.left(ioError('InvalidWeights', path, `${sizes[g][i]} bytes`, part.length))
      data.set(part, off)
      off += part.length
    }
    bytes.push(data)
    weights.push(...decodeGroup(p, data))
  }
  return E.right({ weights, bytes })
}

/** Put the file's weights into a freshly built model: every weight present with its shape, none left over. */
const assignWeights = (file: string, m: SavableModel, ws: ReadonlyArray<NamedTensor>): E.Either<IoError, SavableModel> => {
  const byName = new Map(ws.filter((w) => w.group !== 'optimizer').map((w) => [w.name, w.tensor]))
  const values: Tensor[] = []
  for (const w of m.weights) {
    const t = byName.get(w.name)
    if (t === undefined) return E.left(ioError('InvalidWeights', `${file}: weightsManifest`, `a weight named "${w.name}" with shape ${JSON.stringify(w.shape)}`, 'none', `${file}: the model needs a weight named "${w.name}" (shape ${JSON.stringify(w.shape)}), the file has none`))
    // a file may not declare int32 for a float weight (or the reverse): the bytes would be read as another type
    if (t.dtype !== w.value.dtype) return E.left(ioError('InvalidWeights', `${file}: weight "${w.name}"`, `dtype ${w.value.dtype}`, t.dtype, `${file}: weight "${w.name}" is declared ${t.dtype}, the model's weight is ${w.value.dtype}`))
    if (!shapeEq(t.shape, w.shape)) return E.left(ioError('WeightShapeMismatch', `${file}: weight "${w.name}"`, w.shape, t.shape, `${file}: layer weight shape mismatch for "${w.name}": expected ${JSON.stringify(w.shape)}, received ${JSON.stringify(t.shape)}`))
    values.push(t)
    byName.delete(w.name)
  }
  if (byName.size > 0) {
    const extra = [...byName.keys()]
    return E.left(ioError('InvalidWeights', `${file}: weightsManifest`, `only the model's weights (${m.weights.length})`, extra, `${file}: the file holds weights the model does not have: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`))
  }
  return pipe(
    C.setWeights(m as unknown as C.ModelCore, values),
    E.map((x) => x as unknown as SavableModel),
    E.mapLeft((e) => asIoError('InvalidWeights', file, e))
  )
}

interface Loaded {
  readonly model: SavableModel
  readonly doc: ModelJson
  readonly weights: ReadonlyArray<NamedTensor>
}

/** The default of `LoadOptions.maxLayers`. */
export const DEFAULT_MAX_LAYERS = 5_000

/** Refuse a topology of more layers than `max` before any is built (the layers of nested models count too). */
const checkLayerCount = (topology: unknown, max: number): E.Either<IoError, void> => {
  let n = 0
  const stack: unknown[] = [topology]
  while (stack.length > 0) {
    const t = stack.pop()
    const layers = typeof t === 'object' && t !== null ? (t as { readonly config?: { readonly layers?: unknown } }).config?.layers : undefined
    if (!Array.isArray(layers)) continue
    n += layers.length
    if (n > max) return E.left(ioError('FileTooLarge', `${MODEL_JSON}: modelTopology.config.layers`, `at most ${max} layers (LoadOptions.maxLayers)`, `${n} or more`))
    for (const l of layers) stack.push(l)
  }
  return E.right(undefined)
}

/**
 * Load with the directory as it is: a concurrent save may replace `model.json` and remove the weights
 * file it named between our two reads; then the weights file is missing and we read again (the
 * content-addressed names mean a file that is there holds the bytes its manifest says).
 */
const loadAll = (dir: string, opts: LoadOptions): TE.TaskEither<IoError, Loaded> => async () => {
  const ops = opts.fileOps ?? fileOpsFor(dir)
  await removeLeftovers(ops, dir, false).catch(() => undefined)
  let r = await loadOnce(dir, opts)()
  for (let attempt = 0; attempt < 3 && E.isLeft(r) && r.left._tag === 'FileReadError' && !r.left.path.endsWith(MODEL_JSON); attempt++) r = await loadOnce(dir, opts)()
  return r
}

const loadOnce = (dir: string, opts: LoadOptions): TE.TaskEither<IoError, Loaded> => {
  const ops = opts.fileOps ?? fileOpsFor(dir)
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS
  return pipe(
    readDoc(ops, dir, MODEL_JSON, (u) => pipe(checkLayerCount((u as { readonly modelTopology?: unknown } | null)?.modelTopology, opts.maxLayers ?? DEFAULT_MAX_LAYERS), E.chain(() => decodeWith(ModelJsonC, MODEL_JSON)(u))), opts.maxJsonBytes ?? defaultJsonLimits.maxBytes),
    TE.bindTo('doc'),
    TE.bind('read', ({ doc }) => readWeights(ops, dir, MODEL_JSON, doc.weightsManifest, maxElements)),
    TE.chainFirstEitherK(({ doc, read }) => {
      const d = doc.tensorfold?.weightsDigest
      if (d === undefined) return E.right(undefined)
      const got = digest(concat(read.bytes))
      return got === d
        ? E.right(undefined)
        : E.left(ioError('InvalidWeights', join(dir, doc.weightsManifest.flatMap((g) => g.paths).join(', ')), `the weights model.json was saved with (sha256 ${d.slice(0, 12)}…)`, `sha256 ${got.slice(0, 12)}…`, `${join(dir, doc.weightsManifest.flatMap((g) => g.paths).join(', '))}: these are not the weights model.json was saved with (files from different saves, or changed since)`))
    }),
    TE.bind('config', ({ doc }) => TE.fromEither(fromKeras(`${MODEL_JSON}: modelTopology`, doc.modelTopology, doc.tensorfold?.model ?? {}))),
    TE.bind('model', ({ config, read }) => {
      const budget = { remaining: read.weights.filter((w) => w.group !== 'optimizer').reduce((n, w) => n + w.tensor.size, 0), active: true }
      const built = fromConfigBounded(`${MODEL_JSON}: modelTopology`, config, opts.layers ?? {}, budget)
      budget.active = false
      return TE.fromEither(pipe(built, E.chain((m) => assignWeights(MODEL_JSON, m, read.weights))))
    }),
    TE.map(({ doc, read, model }) => ({ model, doc, weights: read.weights }))
  )
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Anything thrown by code we call (a custom layer, say) becomes an io error; io errors pass through. */
const guard = <A>(te: TE.TaskEither<IoError, A>, path: string): TE.TaskEither<IoError, A> => async () => {
  try {
    return await te()
  } catch (err) {
    const e = err instanceof TensorfoldError ? err.data : toTfError(err)
    return E.left(isIoError(e) ? e : asIoError('InvalidLayerConfig', path, e))
  }
}

/**
 * Load a model saved by `save` (or by TensorFlow.js / Keras's converter, for the layers tensorfold has).
 * @example const m = await Io.load('tmp/my-model', { layers: { myLayer } })() // Right(model)
 */
export const loadTE = (dir: string, opts: LoadOptions = {}): TE.TaskEither<IoError, SavableModel> =>
  guard(
    pipe(
      loadAll(dir, opts),
      TE.map((l) => l.model)
    ),
    dir
  )

const unflattenSpec = (spec: TreeSpec, leaves: ReadonlyArray<Tensor>, path: string): E.Either<IoError, T.Tree> => {
  let i = 0
  const go = (s: TreeSpec, depth: number): T.Tree | undefined => {
    if (depth > 64) return undefined
    if (s === null) return i < leaves.length ? leaves[i++] : undefined
    if (Array.isArray(s)) {
      const out: T.Tree[] = []
      for (const x of s as ReadonlyArray<TreeSpec>) {
        const v = go(x, depth + 1)
        if (v === undefined) return undefined
        out.push(v)
      }
      return Object.freeze(out)
    }
    const out: Record<string, T.Tree> = {}
    for (const k of Object.keys(s).sort()) {
      const v = go((s as { readonly [k: string]: TreeSpec })[k], depth + 1)
      if (v === undefined) return undefined
      Object.defineProperty(out, k, { value: v, enumerable: true })
    }
    return Object.freeze(out)
  }
  const t = go(spec, 0)
  if (t === undefined || i !== leaves.length) return E.left(ioError('InvalidModelFile', path, `a structure with ${leaves.length} leaves`, spec))
  return E.right(t)
}

/**
 * Load a trainer saved by `save(trainer, dir)`: the model, then `compile` with the saved options
 * (overridden by `opts.compile`), then the saved optimizer state, step and key — so `fit` goes on
 * exactly where it stopped.
 * @example const t = await Io.loadTrainer('tmp/run', { compile: { metrics: ['mae'] } })()
 */
export const loadTrainerTE = (dir: string, opts: LoadTrainerOptions = {}): TE.TaskEither<IoError, Trainer> =>
  guard(
    pipe(
      loadAll(dir, opts),
      TE.chainEitherK(({ model, doc, weights }) => {
        const tr = doc.tensorfold?.trainer
        if (tr === undefined) return E.left(ioError('InvalidModelFile', `${MODEL_JSON}: tensorfold.trainer`, 'a saved trainer (save(trainer, dir))', 'a model without trainer state'))
        const saved = tr.options ?? {}
        const o = { ...(saved as Record<string, unknown>), ...(opts.compile ?? {}) } as CompileOptionsInput
        if (o.optimizer === undefined)
          return E.left(ioError('InvalidModelFile', `${MODEL_JSON}: tensorfold.trainer.options.optimizer`, 'an optimizer name, or compile.optimizer passed to loadTrainer', undefined, `${MODEL_JSON}: the trainer was compiled with a custom optimizer; pass it again: loadTrainer(dir, { compile: { optimizer } })`))
        if (o.loss === undefined)
          return E.left(ioError('InvalidModelFile', `${MODEL_JSON}: tensorfold.trainer.options.loss`, 'loss names, or compile.loss passed to loadTrainer', undefined, `${MODEL_JSON}: the trainer was compiled with a custom loss; pass it again: loadTrainer(dir, { compile: { loss } })`))
        const loss = Array.isArray(o.loss) && o.loss.length === 1 ? o.loss[0] : o.loss
        const t0 = compile(model, { ...o, loss })
        if (E.isLeft(t0)) return E.left(asIoError('InvalidModelFile', `${MODEL_JSON}: tensorfold.trainer.options`, t0.left))
        const key: Key = Object.freeze({ _tag: 'Key', state: Object.freeze([...tr.key]) as unknown as Key['state'] })
        const leaves = weights.filter((w) => w.group === 'optimizer').sort((a, b) => idx(a.name) - idx(b.name)).map((w) => w.tensor)
        if (t0.right.optState === undefined || tr.optimizerState === null) return E.right(t0.right.with({ step: tr.step, key }))
        const st = unflattenSpec(tr.optimizerState, leaves, `${MODEL_JSON}: tensorfold.trainer.optimizerState`)
        if (E.isLeft(st)) return st
        const fresh = t0.right.optState
        if (!T.sameStructure(T.structure(fresh), T.structure(st.right)))
          return E.left(ioError('InvalidModelFile', `${MODEL_JSON}: tensorfold.trainer.optimizerState`, 'the structure of the optimizer state of this optimizer', 'another structure', `${MODEL_JSON}: the saved optimizer state does not fit the optimizer (was it saved with another optimizer?)`))
        const fl = T.leaves(fresh)
        const bad = fl.findIndex((l, i) => !shapeEq(l.shape, leaves[i].shape))
        if (bad >= 0) return E.left(ioError('WeightShapeMismatch', `${MODEL_JSON}: ${OPTIMIZER_PREFIX}${bad}`, fl[bad].shape, leaves[bad].shape))
        const badType = fl.findIndex((l, i) => l.dtype !== leaves[i].dtype)
        if (badType >= 0) return E.left(ioError('InvalidWeights', `${MODEL_JSON}: ${OPTIMIZER_PREFIX}${badType}`, `dtype ${fl[badType].dtype}`, leaves[badType].dtype))
        return E.right(t0.right.with({ optState: st.right, step: tr.step, key }))
      })
    ),
    dir
  )

const idx = (name: string): number => (name.startsWith(OPTIMIZER_PREFIX) ? Number(name.slice(OPTIMIZER_PREFIX.length)) : Number.MAX_SAFE_INTEGER)

/**
 * Load weights saved by `saveWeights` into a model of the same architecture (Keras's errors when the
 * count or a shape differs). Weights are matched by order, as Keras's `load_weights` does.
 * @example const m2 = await Io.loadWeights(model, 'tmp/w')()
 */
export const loadWeightsTE = <M extends SavableModel>(model: M, dir: string, opts: LoadOptions = {}): TE.TaskEither<IoError, M> => {
  const ops = opts.fileOps ?? fileOpsFor(dir)
  return guard(
    pipe(
      readDoc(ops, dir, WEIGHTS_JSON, decodeWith(WeightsJsonC, WEIGHTS_JSON), opts.maxJsonBytes ?? defaultJsonLimits.maxBytes),
      TE.chain((doc) => readWeights(ops, dir, WEIGHTS_JSON, doc.weightsManifest, opts.maxElements ?? DEFAULT_MAX_ELEMENTS)),
      TE.chainEitherK(({ weights }) => {
        if (!model.built) return E.left(ioError('NotSavable', 'loadWeights', 'a built model', `model "${model.name}" not built`))
        const ws = model.weights
        if (ws.length !== weights.length)
          return E.left(
            ioError('WeightCountMismatch', `${WEIGHTS_JSON}`, ws.length, weights.length, `You called \`loadWeights\` on model "${model.name}" with a weight file of ${weights.length} weights, but the model was expecting ${ws.length} weights.`)
          )
        for (let i = 0; i < ws.length; i++)
          if (ws[i].value.dtype !== weights[i].tensor.dtype)
            return E.left(ioError('InvalidWeights', `${WEIGHTS_JSON}: weight ${i} ("${weights[i].name}")`, `dtype ${ws[i].value.dtype}`, weights[i].tensor.dtype, `${WEIGHTS_JSON}: weight ${i} ("${weights[i].name}") is declared ${weights[i].tensor.dtype}, the model's weight "${ws[i].name}" is ${ws[i].value.dtype}`))
        for (let i = 0; i < ws.length; i++)
          if (!shapeEq(ws[i].shape, weights[i].tensor.shape))
            return E.left(
              ioError('WeightShapeMismatch', `${WEIGHTS_JSON}: weight ${i} ("${weights[i].name}")`, ws[i].shape, weights[i].tensor.shape, `Layer weight shape mismatch for "${ws[i].name}": expected ${JSON.stringify(ws[i].shape)}, received ${JSON.stringify(weights[i].tensor.shape)} (weight ${i} of the file, "${weights[i].name}").`)
            )
        return pipe(
          C.setWeights(model as unknown as C.ModelCore, weights.map((w) => w.tensor)),
          E.map((m) => m as unknown as M),
          E.mapLeft((e) => asIoError('InvalidWeights', WEIGHTS_JSON, e))
        )
      })
    ),
    dir
  )
}
