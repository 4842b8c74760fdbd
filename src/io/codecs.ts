/**
 * io-ts codecs for everything `io/` reads or writes: shapes, the weights manifest, the TensorFlow.js
 * `model.json` document, tensorfold's own section of it (trainer state), and tensorfold's native model
 * configs (`getConfig`'s result). Objects are *strict*: an unknown key is an error naming it, never
 * silently kept. Decoding failures become one `InvalidModelFile` error with the JSON path, what was
 * expected and what came.
 *
 * Law (test/io/codecs.test.ts): for every codec `C` here and every value `x` it produces,
 * `C.decode(C.encode(x))` is `Right(x)`.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { show } from '../core/errors.js'
import { isRecord } from '../core/Tree.js'
import { ioError, type IoError } from './errors.js'
import { type Json, childPath } from './json.js'

export type { Json } from './json.js'

// ---------------------------------------------------------------------------------------------------
// helpers

/** Any JSON value (already checked safe by `parseJson`). */
export const JsonC: t.Type<Json> = t.recursion<Json>('Json', () =>
  t.union([t.null, t.boolean, t.number, t.string, t.readonlyArray(JsonC), t.readonly(t.record(t.string, JsonC))])
)

/** A JSON record. */
export const JsonRecordC = t.readonly(t.record(t.string, JsonC), 'JsonRecord')
/** A JSON record. */
export type JsonRecord = t.TypeOf<typeof JsonRecordC>

/**
 * A strict object: required and optional props, and an error for any other key (io-ts's `exact`
 * strips unknown keys silently; a file with a key we do not know is a file we do not understand).
 */
export const strict = <R extends t.Props, O extends t.Props = {}>(name: string, required: R, optional?: O) => {
  const inner = t.exact(t.intersection([t.type(required), t.partial((optional ?? {}) as O)]))
  const known = new Set([...Object.keys(required), ...Object.keys(optional ?? {})])
  type A = t.TypeOf<typeof inner>
  type O2 = t.OutputOf<typeof inner>
  return new t.Type<A, O2, unknown>(
    name,
    (u): u is A => inner.is(u) && Object.keys(u as object).every((k) => known.has(k)),
    (u, c) => {
      if (isRecord(u)) {
        const extra = Object.keys(u).filter((k) => !known.has(k))
        if (extra.length > 0)
          return t.failure((u as Record<string, unknown>)[extra[0]], t.appendContext(c, extra[0], t.never), `unknown key ${show(extra[0])}; expected one of ${[...known].map((k) => `'${k}'`).join(', ')}`)
      }
      return inner.validate(u, c) as t.Validation<A>
    },
    (a) => inner.encode(a) as O2
  )
}

/** The largest size of one axis a file may declare. */
export const MAX_DIM = 2 ** 31 - 1
/** The largest rank a file may declare. */
export const MAX_RANK = 8

/** One axis size: a non-negative safe integer below 2^31. */
export const DimC = new t.Type<number, number, unknown>(
  'Dim',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 && u <= MAX_DIM,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 && u <= MAX_DIM ? t.success(u) : t.failure(u, c, `a non-negative integer axis size ≤ ${MAX_DIM}`)),
  (a) => a
)

const boundedArray = <C extends t.Mixed>(item: C, max: number, name: string) =>
  new t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown>(
    name,
    (u): u is ReadonlyArray<t.TypeOf<C>> => Array.isArray(u) && u.length <= max && u.every(item.is),
    (u, c) => (Array.isArray(u) && u.length > max ? t.failure(u, c, `at most ${max} entries`) : t.readonlyArray(item).validate(u, c)),
    (a) => a.map(item.encode)
  )

/** A concrete shape: at most 8 axes. */
export const ShapeC = boundedArray(DimC, MAX_RANK, 'Shape')
/** A batch shape: axes may be unknown (`null`). */
export const BatchShapeC = boundedArray(t.union([t.null, DimC]), MAX_RANK, 'BatchShape')

/** A file name inside the model directory: no separators, no `..`, no leading dot. */
export const FileNameC = new t.Type<string, string, unknown>(
  'FileName',
  (u): u is string => typeof u === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(u) && !u.includes('..'),
  (u, c) =>
    typeof u === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(u) && !u.includes('..')
      ? t.success(u)
      : t.failure(u, c, 'a plain file name inside the model directory (letters, digits, _ . -; no path separators or "..")'),
  (a) => a
)

/** Turn io-ts errors into one io error: the JSON path, what the codec expected, what came. */
export const reportErrors = (file: string, errors: t.Errors): IoError => {
  const e = errors[0]
  const ctx = e.context
    let path = ''
  for (let i = 1; i < ctx.length; i++) {
    // unions, intersections, exact and strict types validate the same value again: not a step into it
    if (ctx[i].key === '' || ctx[i].actual === ctx[i - 1].actual) continue
    const k = ctx[i].key
    path = childPath(path, /^\d+$/.test(k) && Array.isArray(ctx[i - 1].actual) ? Number(k) : k)
  }
  const expected = e.message ?? ctx[ctx.length - 1].type.name
  const where = `${file}: ${path || '(root)'}`
  return ioError('InvalidModelFile', where, expected, e.value, `${where}: expected ${expected}, received ${show(e.value)}`)
}

/** Decode with a codec, reporting the first error as an `InvalidModelFile`. */
export const decodeWith = <A, O>(codec: t.Type<A, O, unknown>, file: string) => (u: unknown): E.Either<IoError, A> =>
  pipe(
    codec.decode(u),
    E.mapLeft((es) => reportErrors(file, es))
  )

// ---------------------------------------------------------------------------------------------------
// the weights manifest (TensorFlow.js format)

/** The dtypes a weights file may hold. */
export const WeightDTypeC = t.keyof({ float32: null, int32: null }, "'float32' | 'int32'")

/** One weight of the manifest: name, shape, dtype; `group` marks tensorfold's trainer weights (tfjs skips the optimizer group when the model has no optimizer). */
export const WeightEntryC = strict('WeightEntry', { name: t.string, shape: ShapeC, dtype: WeightDTypeC }, { group: t.keyof({ model: null, optimizer: null }) })
/** One weight of the manifest. */
export type WeightEntry = t.TypeOf<typeof WeightEntryC>

/** A manifest group: the files whose concatenation holds the group's weights in order. */
export const WeightGroupC = strict('WeightGroup', { paths: boundedArray(FileNameC, 4096, 'Paths'), weights: boundedArray(WeightEntryC, 1_000_000, 'Weights') })
/** A manifest group. */
export type WeightGroup = t.TypeOf<typeof WeightGroupC>

/** The weights manifest. */
export const WeightsManifestC = boundedArray(WeightGroupC, 4096, 'WeightsManifest')
/** The weights manifest. */
export type WeightsManifest = t.TypeOf<typeof WeightsManifestC>

// ---------------------------------------------------------------------------------------------------
// trees (optimizer states) and keys

/** The structure of a tree of tensors, as saved. Leaves are numbered in `Tree.leaves` order. */
export type TreeSpec = null | ReadonlyArray<TreeSpec> | { readonly [k: string]: TreeSpec }
/** `null` is a leaf, an array a list, an object a record (keys in any order; leaves follow sorted keys). */
export const TreeSpecC: t.Type<TreeSpec> = t.recursion<TreeSpec>('TreeSpec', () => t.union([t.null, t.readonlyArray(TreeSpecC), t.readonly(t.record(t.string, TreeSpecC))]))

const isInt32 = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= -(2 ** 31) && u < 2 ** 31
/** A key's state: four signed 32-bit integers, not all zero (the generator's one forbidden state). */
export const KeyStateC = new t.Type<readonly [number, number, number, number], readonly [number, number, number, number], unknown>(
  'KeyState',
  (u): u is readonly [number, number, number, number] => Array.isArray(u) && u.length === 4 && u.every(isInt32) && u.some((v) => v !== 0),
  (u, c) => (Array.isArray(u) && u.length === 4 && u.every(isInt32) && u.some((v) => v !== 0) ? t.success(u as unknown as readonly [number, number, number, number]) : t.failure(u, c, 'four signed 32-bit integers, not all zero')),
  (a) => a
)

/** A step count: a non-negative safe integer. */
export const StepC = new t.Type<number, number, unknown>(
  'Step',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c, 'a non-negative safe integer')),
  (a) => a
)

/** What a saved trainer adds to the model. */
export const TrainerSectionC = strict(
  'TrainerSection',
  {
    step: StepC,
    key: KeyStateC,
    /** the structure of the optimizer state; its leaves are the weights named `optimizer/<i>` */
    optimizerState: TreeSpecC
  },
  {
    /** the compile options that are plain data (names of optimizer, loss, metrics; seed; runEagerly) */
    options: JsonRecordC
  }
)
/** What a saved trainer adds to the model. */
export type TrainerSection = t.TypeOf<typeof TrainerSectionC>

/** tensorfold's own top-level field of `model.json`: ignored by TensorFlow.js. */
export const TensorfoldSectionC = strict(
  'TensorfoldSection',
  { version: t.literal(1) },
  {
    trainer: TrainerSectionC,
    /** what the Keras topology cannot say: seed, input/output styles and names */
    model: JsonRecordC,
    /** a SHA-256 of the weights files, in manifest order: a save interrupted between renames is caught on load */
    weightsDigest: t.string
  }
)
/** tensorfold's own top-level field of `model.json`. */
export type TensorfoldSection = t.TypeOf<typeof TensorfoldSectionC>

// ---------------------------------------------------------------------------------------------------
// the TensorFlow.js / Keras model.json document

/** A reference to a node output: `[layerName, nodeIndex, tensorIndex]` (Keras adds a kwargs record). */
export const KerasNodeRefC = t.union([t.tuple([t.string, DimC, DimC]), t.tuple([t.string, DimC, DimC, JsonRecordC])], 'NodeRef')

/** One layer in a Keras topology. Functional layers also carry `name` and `inbound_nodes`. */
export const KerasLayerC = t.intersection(
  [t.type({ class_name: t.string, config: JsonRecordC }), t.partial({ name: t.string, inbound_nodes: t.readonlyArray(t.readonlyArray(KerasNodeRefC)) })],
  'KerasLayer'
)
/** One layer in a Keras topology. */
export type KerasLayer = t.TypeOf<typeof KerasLayerC>

/** `modelTopology`: a Sequential or functional model, Keras style (snake_case). */
export const KerasTopologyC = t.intersection(
  [t.type({ class_name: t.string, config: JsonC }), t.partial({ keras_version: t.string, backend: t.string })],
  'ModelTopology'
)
/** `modelTopology`. */
export type KerasTopology = t.TypeOf<typeof KerasTopologyC>

/**
 * `model.json`, as TensorFlow.js writes it (`tf.io` file handlers) and Keras's converter too. Unknown
 * top-level fields (`trainingConfig`, `userDefinedMetadata`, `signature`, …) are dropped: they do not
 * change the model.
 */
export const ModelJsonC = t.exact(
  t.intersection([
    t.type({ modelTopology: KerasTopologyC, weightsManifest: WeightsManifestC }),
    t.partial({ format: t.string, generatedBy: t.union([t.string, t.null]), convertedBy: t.union([t.string, t.null]), tensorfold: TensorfoldSectionC })
  ]),
  'ModelJson'
)
/** `model.json`. */
export type ModelJson = t.TypeOf<typeof ModelJsonC>

/** A weights-only file (`saveWeights`): the manifest alone, in `weights.json`. */
export const WeightsJsonC = t.exact(t.intersection([t.type({ weightsManifest: WeightsManifestC }), t.partial({ format: t.string, generatedBy: t.string })]), 'WeightsJson')
/** A weights-only file. */
export type WeightsJson = t.TypeOf<typeof WeightsJsonC>

// ---------------------------------------------------------------------------------------------------
// tensorfold's native model configs (what getConfig returns: the models' own `config`)

/** A layer as config: its kind and its constructor's config. @example {kind: 'Dense', config: {units: 4}} */
export const LayerConfigC = strict('LayerConfig', { kind: t.string, config: JsonRecordC })
/** A layer as config. */
export type LayerConfig = t.TypeOf<typeof LayerConfigC>

/** A Sequential model's config. */
export const SequentialConfigC = strict('SequentialConfig', { name: t.string, seed: t.number, layers: t.readonlyArray(LayerConfigC) }, { inputShape: ShapeC })
/** A Sequential model's config. */
export type SequentialConfig = t.TypeOf<typeof SequentialConfigC>

/** A tensor of a functional graph: `['input', i]` or `['node', j, outputIndex | null]`. */
export const RefC = t.union([t.tuple([t.literal('input'), DimC]), t.tuple([t.literal('node'), DimC, t.union([DimC, t.null])])], 'Ref')
/** A tensor of a functional graph. */
export type Ref = t.TypeOf<typeof RefC>

const StyleC = t.keyof({ single: null, list: null, record: null }, "'single' | 'list' | 'record'")

/** A functional model's config: inputs, layers, the nodes (layer calls) in order, outputs. */
export const FunctionalConfigC = strict('FunctionalConfig', {
  name: t.string,
  seed: t.number,
  inputs: t.readonlyArray(strict('Input', { name: t.string, shape: BatchShapeC })),
  layers: t.readonlyArray(LayerConfigC),
  nodes: t.readonlyArray(strict('Node', { layer: t.string, inputs: t.readonlyArray(RefC) })),
  outputs: t.readonlyArray(RefC),
  inputStyle: StyleC,
  outputStyle: StyleC,
  inputNames: t.readonlyArray(t.string),
  outputNames: t.readonlyArray(t.string)
})
/** A functional model's config. */
export type FunctionalConfig = t.TypeOf<typeof FunctionalConfigC>

/** A model as config: `{kind: 'Sequential' | 'Functional', config}`. */
export const ModelConfigC = t.union(
  [strict('SequentialModel', { kind: t.literal('Sequential'), config: SequentialConfigC }), strict('FunctionalModel', { kind: t.literal('Functional'), config: FunctionalConfigC })],
  'ModelConfig'
)
/** A model as config. */
export type ModelConfig = t.TypeOf<typeof ModelConfigC>
