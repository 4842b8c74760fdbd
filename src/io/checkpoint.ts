/**
 * `modelCheckpoint`: a `fit` callback that saves the trainer (or only the weights) at the end of every
 * epoch, or only when a monitored value improves (`saveBestOnly`). Keras semantics: `filepath` may hold
 * `{epoch}` (1-based, or `{epoch:02d}`), `{batch}` (with a batch `saveFreq`) and any log name
 * (`{val_loss:.4f}`) — a placeholder without a value is an error, as in Keras; `saveFreq` is `'epoch'` or
 * a number of batches; `mode` `'auto'` picks max for
 * accuracy-like names. The best value lives in the callback's state, threaded by `fit`, so one
 * callback value can serve many runs.
 *
 * A failed save stops nothing silently: it is reported through `info.write` and training stops, since
 * the user asked for checkpoints they would not get.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Callback, Mode } from '../train/callbacks/Callback.js'
import { resolveMode, checkOptions } from '../train/callbacks/Callback.js'
import { type TfError, tfError, fail, orThrow, show } from '../core/errors.js'
import type { Trainer } from '../train/Trainer.js'
import type { Logs } from '../train/History.js'
import { saveTE, saveWeightsTE, type SaveOptions } from './save.js'
import { isSavableModel } from './model.js'

/** Options of {@link modelCheckpoint} (Keras's, camelCase). Any other option is an `InvalidOption` error. */
export interface ModelCheckpointOptions extends SaveOptions {
  /** the directory to save into; may hold `{epoch}`, `{epoch:02d}`, `{batch}` (with a batch `saveFreq`), `{val_loss:.2f}`, … */
  readonly filepath: string
  readonly monitor?: string
  readonly verbose?: 0 | 1
  readonly saveBestOnly?: boolean
  readonly mode?: Mode
  /** save `weights.json` + `weights.bin` only, not the trainer */
  readonly saveWeightsOnly?: boolean
  /** `'epoch'` (default): save at the end of each epoch; a number `n`: save after every `n` batches */
  readonly saveFreq?: 'epoch' | number
  /** a value the monitored metric must beat before the first save (Keras's `initial_value_threshold`) */
  readonly initialValueThreshold?: number
}

/** The state a checkpoint threads through a run. */
export interface ModelCheckpointState {
  readonly best: number
  /** directories written so far, in order */
  readonly saved: ReadonlyArray<string>
  /** batches run since the last save (a batch `saveFreq`) */
  readonly sinceSave: number
  /** the batch index of the last `onTrainBatchEnd` (Keras's `_last_batch_seen`, 0 at the start) */
  readonly lastBatch: number
}

const OPTIONS = ['filepath', 'monitor', 'verbose', 'saveBestOnly', 'mode', 'saveWeightsOnly', 'saveFreq', 'initialValueThreshold', 'fileOps'] as const

type Piece = { readonly text: string } | { readonly name: string; readonly spec: string | undefined }

const pathError = (template: string, reason: string): TfError =>
  tfError('InvalidFilepath', `Failed to format this callback filepath: "${template}". Reason: ${reason}`, { filepath: template, reason })

/** Parse a Python `str.format` template: `{name}`, `{name:spec}`, `{{` and `}}` for braces. */
const parseTemplate = (template: string): E.Either<TfError, ReadonlyArray<Piece>> => {
  const out: Piece[] = []
  let text = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c
      i++
    } else if (c === '}') return E.left(pathError(template, "a single '}' (write '}}' for a brace)"))
    else if (c === '{') {
      const close = template.indexOf('}', i)
      if (close < 0) return E.left(pathError(template, "a '{' without its '}'"))
      const body = template.slice(i + 1, close)
      const m = /^([A-Za-z_]\w*)(?::(.*))?$/.exec(body)
      if (m === null) return E.left(pathError(template, `'{${body}}' is not a placeholder (expected {name} or {name:format})`))
      if (m[2] !== undefined && !/^0?\d*(\.\d+)?[dfe]$/.test(m[2])) return E.left(pathError(template, `unsupported format '${m[2]}' in '{${body}}' (supported: d, f and e with a width and precision, e.g. 02d, .4f)`))
      if (text !== '') out.push({ text })
      text = ''
      out.push({ name: m[1], spec: m[2] })
      i = close
    } else text += c
  }
  if (text !== '') out.push({ text })
  return E.right(out)
}

/** One value by a Python format spec (`02d`, `.4f`, `.2e`, none). */
const formatValue = (v: number, spec: string | undefined, integral: boolean): E.Either<string, string> => {
  if (spec === undefined) return E.right(integral || !Number.isInteger(v) ? String(v) : `${v}.0`)
  const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec) as RegExpExecArray
  const [, zero, width, prec, kind] = m
  let body: string
  if (kind === 'd') {
    if (!integral) return E.left(`format '${spec}' needs an integer, and a log value is a float (use .Nf)`)
    body = String(Math.abs(v))
  } else if (kind === 'f') body = Math.abs(v).toFixed(prec === undefined ? 6 : Number(prec))
  else body = Math.abs(v).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2')
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const w = width === '' ? 0 : Number(width)
  return E.right(zero === '0' ? sign + body.padStart(w - sign.length, '0') : (sign + body).padStart(w, ' '))
}

/**
 * Fill a checkpoint path the way Keras's `filepath.format(epoch=…, batch=…, **logs)` does: `{epoch}`
 * (1-based), `{batch}` (1-based, batch saves only), any log name; a placeholder without a value, or a
 * format that does not fit the value, is an `InvalidFilepath` error ("Failed to format this callback
 * filepath"), never a path with literal braces.
 * @example formatPath('ckpt_{epoch:02d}_{loss:.2f}', 3, { loss: 0.1234 }) // Right('ckpt_03_0.12')
 */
export const formatPath = (template: string, epoch: number, logs: Logs, batch?: number): E.Either<TfError, string> => {
  const parsed = parseTemplate(template)
  if (E.isLeft(parsed)) return parsed
  let out = ''
  for (const p of parsed.right) {
    if ('text' in p) {
      out += p.text
      continue
    }
    const integral = p.name === 'epoch' || (p.name === 'batch' && batch !== undefined)
    const v = p.name === 'epoch' ? epoch : p.name === 'batch' && batch !== undefined ? batch : logs[p.name]
    if (v === undefined)
      return E.left(pathError(template, `no value for '${p.name}' (there are: epoch${batch !== undefined ? ', batch' : ''}${Object.keys(logs).map((k) => `, ${k}`).join('')})`))
    const f = formatValue(v, p.spec, integral)
    if (E.isLeft(f)) return E.left(pathError(template, `'{${p.name}:${p.spec}}': ${f.left}`))
    out += f.right
  }
  return E.right(out)
}

/**
 * Save the trainer at the end of each epoch, or every `saveFreq` batches (or only when `monitor`
 * improves). Throws an `InvalidOption` error for an option it does not know or a bad `saveFreq`, and an
 * `InvalidFilepath` error for a malformed `filepath`; a placeholder with no value at save time fails the
 * `fit` with `InvalidFilepath`.
 * @example callbacks: [modelCheckpoint({ filepath: 'tmp/ckpt', monitor: 'val_loss', saveBestOnly: true })]
 */
export const modelCheckpoint = (o: ModelCheckpointOptions): Callback<ModelCheckpointState> => {
  checkOptions('modelCheckpoint', o, OPTIONS)
  if (typeof o.filepath !== 'string') fail('InvalidOption', `modelCheckpoint: option filepath: expected a string, received ${show(o.filepath)}`, { op: 'modelCheckpoint', path: 'filepath', expected: 'string', received: o.filepath })
  const freq = o.saveFreq ?? 'epoch'
  if (freq !== 'epoch' && !(typeof freq === 'number' && Number.isSafeInteger(freq) && freq > 0))
    fail('InvalidOption', `modelCheckpoint: unrecognized saveFreq ${show(freq)}: expected 'epoch' or a positive integer (a number of batches)`, {
      op: 'modelCheckpoint',
      path: 'saveFreq',
      expected: "'epoch' | positive integer",
      received: freq
    })
  orThrow(parseTemplate(o.filepath))
  const monitor = o.monitor ?? 'val_loss'
  const mode = resolveMode(o.mode ?? 'auto', monitor)
  const better = (v: number, ref: number): boolean => (mode === 'max' ? v > ref : v < ref)
  const initial = o.initialValueThreshold ?? (mode === 'max' ? -Infinity : Infinity)
  const at = (epoch: number, batch: number | undefined): string => `Epoch ${epoch + 1}${batch === undefined ? '' : `: batch ${batch + 1}`}`

  /** Keras's `_save_model`: the best-only check, the path, the save. */
  const save = async (s: ModelCheckpointState, epoch: number, batch: number | undefined, logs: Logs, trainer: Trainer, write: (t: string) => void) => {
    let best = s.best
    if (o.saveBestOnly === true) {
      const v = logs[monitor]
      if (v === undefined) {
        write(`Can save best model only with ${monitor} available, skipping.\n`)
        return { state: { ...s, sinceSave: 0 } }
      }
      if (!better(v, s.best)) {
        if (o.verbose) write(`\n${at(epoch, batch)}: ${monitor} did not improve from ${s.best.toFixed(5)}\n`)
        return { state: { ...s, sinceSave: 0 } }
      }
      if (o.verbose) write(`\n${at(epoch, batch)}: ${monitor} improved from ${s.best.toFixed(5)} to ${v.toFixed(5)}, saving model\n`)
      best = v
    }
    const dir = orThrow(formatPath(o.filepath, epoch + 1, logs, batch === undefined ? undefined : batch + 1))
    const r = o.saveWeightsOnly === true ? (isSavableModel(trainer.model) ? await saveWeightsTE(trainer.model, dir, o)() : E.left({ message: 'not a savable model' })) : await saveTE(trainer, dir, o)()
    if (E.isLeft(r)) {
      write(`\n${at(epoch, batch)}: ModelCheckpoint could not save to ${dir}: ${r.left.message}\n`)
      return { state: { ...s, sinceSave: 0 }, stop: true }
    }
    if (o.verbose && o.saveBestOnly !== true) write(`\n${at(epoch, batch)}: saving model to ${dir}\n`)
    return { state: { ...s, best, saved: [...s.saved, dir], sinceSave: 0 } }
  }

  return {
    name: 'ModelCheckpoint',
    init: () => ({ best: initial, saved: [], sinceSave: 0, lastBatch: 0 }),
    async onTrainBatchEnd(s, { epoch, batch, logs, trainer, info }) {
      if (freq === 'epoch') return
      // Keras 2.15 `_should_save_on_batch`: with `stepsPerExecution` the batch index jumps by the
      // execution's steps; a smaller index than the last one seen starts a new epoch
      const sinceSave = s.sinceSave + (batch <= s.lastBatch ? batch + 1 : batch - s.lastBatch)
      if (sinceSave < freq) return { state: { ...s, sinceSave, lastBatch: batch } }
      return save({ ...s, sinceSave, lastBatch: batch }, epoch, batch, logs, trainer, info.write)
    },
    async onEpochEnd(s, { epoch, logs, trainer, info }) {
      if (freq !== 'epoch') return
      return save(s, epoch, undefined, logs, trainer, info.write)
    }
  }
}
