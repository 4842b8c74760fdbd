/**
 * Datasets read from files and URLs (the file side of `data/`): `fromCsv(pathOrUrl, options)` streams a
 * CSV file or URL; `imageDatasetFromDirectory(dir, options)` reads a folder of class subfolders as
 * Keras's `image_dataset_from_directory` does. Both check their options and what they can see up front
 * (the CSV header, the folder's classes and files) and return `TaskEither`s; rows and images are read
 * lazily, one pass at a time.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Tensor, fromBuffer } from '../core/Tensor.js'
import { key as makeKey } from '../core/Key.js'
import { shuffleIndices } from '../core/random.js'
import { type Dataset, fromElements, shuffle, batch, prefetch } from '../data/Dataset.js'
import { csvDataset, decodeUtf8 } from '../data/csv.js'
import { type ColorMode, channelsOf, decodeImage, toChannels, cropToAspect, resize } from '../data/image.js'
import { type DatasetError, decodeOptions, optionError, imageError, raise, intAtLeast } from '../data/errors.js'
import { type IoError, ioError } from './errors.js'
import { localDatasetFiles as disk, joinPath as join } from '#platform'

const extname = (name: string): string => {
  const i = name.lastIndexOf('.')
  return i <= 0 ? '' : name.slice(i)
}
const relative = (dir: string, path: string): string => (path.startsWith(dir) ? path.slice(dir.length).replace(/^[\\/]+/, '') : path)
const localPath = (s: string | URL): string => (s instanceof URL ? decodeURIComponent(s.pathname) : s.startsWith('file:') ? decodeURIComponent(new URL(s).pathname) : s)

const isUrl = (s: string | URL): boolean => s instanceof URL || /^(https?|data|blob):/i.test(s)

/** Byte chunks of a file (64 KiB at a time) or of a URL's body (streamed with `fetch`). */
async function* byteChunks(source: string | URL): AsyncGenerator<Uint8Array> {
  if (isUrl(source)) {
    const res = await fetch(source)
    if (!res.ok || res.body === null) raise(optionError('fromCsv', 'source', 'a URL that answers 200 with a body', `${String(source)} (HTTP ${res.status})`))
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value
    return
  }
  yield* disk.chunks(localPath(source))
}

/**
 * A streamed CSV dataset from a file path or URL. The header and options are checked before it
 * resolves; each row becomes `features` (a `[nFeatures]` tensor) or `[features, label]`.
 * @example const ds = await Data.fromCsv('data/houses.csv', { labelColumn: 'price' })()
 */
export const fromCsv =
  (source: string | URL, options?: import('../data/csv.js').CsvOptions): TE.TaskEither<DatasetError | IoError, Dataset<Tensor | readonly [Tensor, Tensor]>> =>
  async () => {
    if (typeof source !== 'string' && !(source instanceof URL)) return E.left(optionError('fromCsv', 'source', 'a file path or URL', source))
    const name = String(source)
    if (!isUrl(source)) {
      const info = await disk.info(localPath(source))
      if (info.kind === 'missing') return E.left(ioError('FileReadError', name, 'a readable CSV file', info.code))
      if (info.kind !== 'file') return E.left(ioError('FileReadError', name, 'a CSV file', 'a directory or special file'))
    }
    try {
      return await csvDataset(name, () => decodeUtf8(byteChunks(source)), options)
    } catch (err) {
      const data = (err as { data?: DatasetError }).data
      if (data !== undefined) return E.left(data)
      return E.left(ioError('FileReadError', name, 'a readable CSV source', err instanceof Error ? err.message : String(err)))
    }
  }

/** Options of `imageDatasetFromDirectory` (Keras 2.15's arguments, in camelCase). */
export interface ImageFolderOptions {
  /** `'inferred'` (from the subfolders, default), `null` (no labels), or one integer label per file in sorted path order */
  readonly labels?: 'inferred' | null | ReadonlyArray<number>
  /** `'int'` (default: class ids), `'categorical'` (one-hot), `'binary'` (two classes, `[1]` floats), or `null` */
  readonly labelMode?: 'int' | 'categorical' | 'binary' | null
  /** the classes, in label order (must be the subfolders' names; default: the subfolders, sorted) */
  readonly classNames?: ReadonlyArray<string>
  /** `'rgb'` (default), `'grayscale'` or `'rgba'` */
  readonly colorMode?: ColorMode
  /** default 32; `null` yields single images */
  readonly batchSize?: number | null
  /** `[height, width]`, default `[256, 256]` */
  readonly imageSize?: readonly [number, number]
  /** shuffle the files (default true) */
  readonly shuffle?: boolean
  /** seed of the shuffles (default 0) */
  readonly seed?: number
  /** the fraction kept for validation (from the end of the shuffled files) */
  readonly validationSplit?: number
  /** which part to return when `validationSplit` is set */
  readonly subset?: 'training' | 'validation' | 'both'
  /** `'bilinear'` (default) or `'nearest'` */
  readonly interpolation?: 'bilinear' | 'nearest'
  /** crop to the target aspect ratio before resizing, instead of stretching (default false) */
  readonly cropToAspectRatio?: boolean
}

/** A dataset of images with the class names it found. */
export type ImageDataset = Dataset<Tensor | readonly [Tensor, Tensor]> & { readonly classNames: ReadonlyArray<string>; readonly filePaths: ReadonlyArray<string> }

const lit = <A extends string>(...xs: A[]): t.Type<A> => t.union(xs.map((x) => t.literal(x)) as unknown as [t.LiteralC<A>, t.LiteralC<A>], xs.map((x) => `'${x}'`).join(' | ')) as unknown as t.Type<A>
const imageProps = {
  labels: t.union([t.literal('inferred'), t.null, t.readonlyArray(t.refinement(t.number, Number.isSafeInteger))], "'inferred', null or a list of integer labels"),
  labelMode: t.union([lit('int', 'categorical', 'binary'), t.null], "'int' | 'categorical' | 'binary' | null"),
  classNames: t.readonlyArray(t.string, 'a list of class names'),
  colorMode: lit('grayscale', 'rgb', 'rgba'),
  batchSize: t.union([intAtLeast(1), t.null], 'an integer ≥ 1 or null'),
  imageSize: t.refinement(t.tuple([t.number, t.number]), ([h, w]) => [h, w].every((d) => Number.isSafeInteger(d) && d >= 1 && d <= 16384), '[height, width] (integers 1 to 16384)'),
  shuffle: t.boolean,
  seed: t.refinement(t.number, Number.isSafeInteger, 'an integer'),
  validationSplit: t.refinement(t.number, (v) => v > 0 && v < 1, 'a number between 0 and 1 (exclusive)'),
  subset: lit('training', 'validation', 'both'),
  interpolation: lit('bilinear', 'nearest'),
  cropToAspectRatio: t.boolean
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])
/** Largest image file read, in bytes. */
const MAX_IMAGE_BYTES = 64 << 20

/** Image files under `dir`, recursively, sorted (as Keras walks them). */
const imageFiles = async (dir: string): Promise<string[]> => {
  const out: string[] = []
  const walk = async (d: string): Promise<void> => {
    for (const e of await disk.list(d)) {
      if (e.dir) await walk(join(d, e.name))
      else if (e.file && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(join(d, e.name))
    }
  }
  await walk(dir)
  return out
}

const readImage = async (file: string, channels: number, size: readonly [number, number], interpolation: 'bilinear' | 'nearest', crop: boolean): Promise<Tensor> => {
  const info = await disk.info(file)
  if (info.kind !== 'file') return raise(imageError(file, 'cannot be read (it is gone or not a file)'))
  if (info.size > MAX_IMAGE_BYTES) raise(imageError(file, `${info.size} bytes is over the ${MAX_IMAGE_BYTES}-byte limit`))
  const decoded = decodeImage(file, await disk.readAll(file))
  if (E.isLeft(decoded)) return raise(decoded.left)
  let p = toChannels(decoded.right, channels)
  if (crop) p = cropToAspect(p, size[0], size[1])
  p = resize(p, size[0], size[1], interpolation)
  return fromBuffer(p.data, [size[0], size[1], channels])
}

/**
 * A dataset of images from a folder with one subfolder per class (Keras's `image_dataset_from_directory`):
 * PNG and JPEG files (other files are skipped), decoded, converted to `colorMode`, resized to
 * `imageSize`, shuffled with `seed` and batched. With `subset: 'both'` it resolves to `[training, validation]`.
 * @example const ds = await Data.imageDatasetFromDirectory('photos', { imageSize: [64, 64], batchSize: 16 })()
 */
export const imageDatasetFromDirectory =
  (dir: string, options?: ImageFolderOptions): TE.TaskEither<DatasetError | IoError, ImageDataset | readonly [ImageDataset, ImageDataset]> =>
  async () => {
    const decoded = decodeOptions('imageDatasetFromDirectory', options, imageProps)
    if (E.isLeft(decoded)) return decoded
    const o = decoded.right
    const op = 'imageDatasetFromDirectory'
    const labels = o.labels === undefined ? 'inferred' : o.labels
    const labelMode = o.labelMode === undefined ? (labels === null ? null : 'int') : o.labelMode
    if (labels === null && labelMode !== null) return E.left(optionError(op, 'labelMode', 'null when labels is null', labelMode))
    if ((o.validationSplit === undefined) !== (o.subset === undefined))
      return E.left(optionError(op, o.subset === undefined ? 'subset' : 'validationSplit', 'validationSplit and subset given together', o.subset ?? o.validationSplit))
    const info = typeof dir === 'string' ? await disk.info(dir) : { kind: 'missing' as const, code: `not a path: ${String(dir)}` }
    if (info.kind === 'missing') return E.left(ioError('FileReadError', String(dir), 'a readable directory', info.code))
    if (info.kind !== 'dir') return E.left(ioError('FileReadError', dir, 'a directory', 'a file'))
    let classNames: string[] = []
    let files: string[] = []
    let ids: number[] = []
    if (labels === 'inferred') {
      const subdirs = (await disk.list(dir)).filter((e) => e.dir).map((e) => e.name)
      if (o.classNames !== undefined) {
        const same = o.classNames.length === subdirs.length && [...o.classNames].sort().every((c, i) => c === subdirs[i])
        if (!same) return E.left(optionError(op, 'classNames', `the subfolders of ${dir} (${subdirs.join(', ')})`, o.classNames))
      }
      classNames = [...(o.classNames ?? subdirs)]
      for (const [i, c] of classNames.entries()) {
        const fs = await imageFiles(join(dir, c))
        files.push(...fs)
        ids.push(...fs.map(() => i))
      }
    } else {
      files = await imageFiles(dir)
      if (Array.isArray(labels)) {
        if (labels.length !== files.length) return E.left(optionError(op, 'labels', `one label per image file (${files.length})`, `${labels.length} labels`))
        ids = [...labels]
        classNames = [...new Set(ids)].sort((a, b) => a - b).map(String)
      }
    }
    if (files.length === 0) return E.left(ioError('FileReadError', dir, 'PNG or JPEG files (in class subfolders)', 'no image files'))
    const nClasses = Math.max(classNames.length, ids.length > 0 ? Math.max(...ids) + 1 : 0)
    if (labelMode === 'binary' && nClasses !== 2) return E.left(optionError(op, 'labelMode', "'binary' with exactly 2 classes", `${nClasses} classes`))
    const seed = o.seed ?? 0
    const doShuffle = o.shuffle ?? true
    if (doShuffle) {
      const perm = shuffleIndices(makeKey(seed), files.length)
      files = Array.from(perm, (j) => files[j])
      if (ids.length > 0) ids = Array.from(perm, (j) => ids[j])
    }
    const size = o.imageSize ?? [256, 256]
    const channels = channelsOf[o.colorMode ?? 'rgb']
    const batchSize = o.batchSize === undefined ? 32 : o.batchSize
    const label = (id: number): Tensor =>
      labelMode === 'categorical'
        ? fromBuffer(Float32Array.from({ length: nClasses }, (_, j) => (j === id ? 1 : 0)), [nClasses])
        : labelMode === 'binary'
          ? fromBuffer(Float32Array.of(id), [1])
          : fromBuffer(Float32Array.of(id), [])
    const build = (idx: ReadonlyArray<number>, shuffled: boolean): ImageDataset => {
      const items = idx.map((i) => ({ file: files[i], id: ids[i] }))
      let ds = fromElements(items).map(async ({ file, id }): Promise<Tensor | readonly [Tensor, Tensor]> => {
        const img = await readImage(file, channels, size, o.interpolation ?? 'bilinear', o.cropToAspectRatio ?? false)
        return labelMode === null ? img : Object.freeze([img, label(id)] as const)
      })
      if (shuffled) ds = E.getOrElse((): typeof ds => ds)(shuffle(batchSize === null ? 1024 : batchSize * 8, makeKey(seed))(ds))
      if (batchSize !== null) ds = E.getOrElse((): typeof ds => ds)(batch(batchSize)(ds))
      ds = E.getOrElse((): typeof ds => ds)(prefetch(2)(ds))
      return Object.freeze({ ...ds, classNames: Object.freeze([...classNames]), filePaths: Object.freeze(items.map((x) => relative(dir, x.file))) }) as ImageDataset
    }
    const all = files.map((_, i) => i)
    if (o.validationSplit === undefined) return E.right(build(all, doShuffle))
    const nVal = Math.floor(o.validationSplit * files.length)
    const train = all.slice(0, files.length - nVal)
    const val = all.slice(files.length - nVal)
    if (o.subset === 'training') return E.right(build(train, doShuffle))
    if (o.subset === 'validation') return E.right(build(val, doShuffle))
    return E.right(Object.freeze([build(train, doShuffle), build(val, false)] as const))
  }
