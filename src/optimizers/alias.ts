/**
 * Named optimizers with Keras's names and defaults, each a chain of the transformations in
 * `transform.ts`, plus the learning rate as a state leaf that callbacks can read and change.
 *
 * Every named optimizer is `[clip…,] injectLearningRate(direction [+ weight decay], learningRate)`; its
 * state (when no clipping option is given) is
 * `{ count: Tensor[], learningRate: Tensor[], inner: <the direction's state> }`. `learningRate` holds the
 * rate the *next* update uses: a constant stays until `setLearningRate` changes it; a schedule rewrites
 * it from the step count after every update (so a `setLearningRate` then lasts one step).
 *
 * Laws: `sgd({learningRate: lr})` makes `p + u = p − lr·g` after one step; each optimizer matches its
 * Keras update rule (test/optimizers); `getLearningRate(setLearningRate(s, r)) = r` (in float32).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, scalar, item, isTensor } from '../core/Tensor.js'
import { isRecord } from '../core/Tree.js'
import { tfError, attemptOf, VALUE_ERROR_TAGS, show, fail } from '../core/errors.js'
import { OPTIMIZER_ERROR_TAGS, type OptimizerError } from './errors.js'
import { didYouMean, nearest } from '../core/nearest.js'
import { add, mul, neg } from '../primitives/index.js'
import { type GradientTransformation, type Tree, chain, identity, mapTree, zeroCount } from './base.js'
import { type LearningRate, learningRateAt } from './schedule.js'
import {
  addDecayedWeights, clipByGlobalNorm, clipByNorm, clipByValue, scaleByAdadelta, scaleByAdam, scaleByAdamax, scaleByNadam,
  scaleByRms, scaleByRss, traceMomentum
} from './transform.js'

/** State of {@link injectLearningRate}: step count, the rate of the next update, the inner state. */
export type InjectedState<S extends Tree = Tree> = { readonly count: Tensor; readonly learningRate: Tensor; readonly inner: S }

/**
 * Run `inner`, then multiply by `−learningRate`, keeping the rate as a scalar tensor leaf of the state
 * (optax's `inject_hyperparams`), so that it can be read and changed between steps and survives
 * saving. A schedule is evaluated at the step count (0 for the first update).
 * @example injectLearningRate(scaleByAdam(), 1e-3)
 */
export const injectLearningRate = <S extends Tree>(inner: GradientTransformation<S>, learningRate: LearningRate): GradientTransformation<InjectedState<S>> => {
  if (typeof learningRate !== 'function' && !(typeof learningRate === 'number' && Number.isFinite(learningRate)))
    fail('InvalidOption', `learningRate: expected a finite number or a schedule, received ${show(learningRate)}`, {
      op: 'injectLearningRate',
      path: 'learningRate',
      expected: 'finite number | schedule',
      received: learningRate
    })
  return {
    init: (params) => ({ count: zeroCount(), learningRate: learningRateAt(learningRate, zeroCount()), inner: inner.init(params) }),
    update: (updates, state, params) => {
      const [u, s] = inner.update(updates, state.inner, params)
      const f = neg(state.learningRate)
      const count = add(state.count, 1)
      return [mapTree(u, (x) => mul(x, f)), { count, learningRate: typeof learningRate === 'number' ? state.learningRate : learningRate(count), inner: s }]
    }
  }
}

/** A named optimizer: a transformation that also knows its Keras name and resolved options. */
export type Optimizer = GradientTransformation<Tree> & {
  /** Keras's class name in lower case: 'sgd', 'adam', … */
  readonly name: OptimizerName
  /** The options after defaults (a schedule shows as 'schedule'). */
  readonly config: Readonly<Record<string, number | boolean | string>>
}

/** Options every named optimizer accepts (Keras's base optimizer arguments). */
export interface BaseOptimizerOptions {
  /** A number or a schedule of the step count. */
  readonly learningRate?: LearningRate
  /** Decoupled weight decay λ (the step gets `−lr·λ·p`). Default 0 (adamw: 0.004). */
  readonly weightDecay?: number
  /** Clip each gradient tensor to this L2 norm first. */
  readonly clipnorm?: number
  /** Clip each gradient value into `[−clipvalue, clipvalue]` first. */
  readonly clipvalue?: number
  /** Clip all gradients together to this global L2 norm first. */
  readonly globalClipnorm?: number
}

/** Options of {@link sgd}. */
export interface SgdOptions extends BaseOptimizerOptions {
  /** Default 0. */
  readonly momentum?: number
  /** Default false. */
  readonly nesterov?: boolean
}
/** Options of {@link adam}, {@link adamw}, {@link adamax}, {@link nadam}. */
export interface AdamFamilyOptions extends BaseOptimizerOptions {
  /** Default 0.9. */
  readonly beta1?: number
  /** Default 0.999. */
  readonly beta2?: number
  /** Default 1e-7. */
  readonly epsilon?: number
}
/** Options of {@link rmsprop}. */
export interface RmspropOptions extends BaseOptimizerOptions {
  /** Default 0.9. */
  readonly rho?: number
  /** Default 0. */
  readonly momentum?: number
  /** Default 1e-7. */
  readonly epsilon?: number
  /** Default false. */
  readonly centered?: boolean
}
/** Options of {@link adagrad}. */
export interface AdagradOptions extends BaseOptimizerOptions {
  /** Default 0.1. */
  readonly initialAccumulatorValue?: number
  /** Default 1e-7. */
  readonly epsilon?: number
}
/** Options of {@link adadelta}. */
export interface AdadeltaOptions extends BaseOptimizerOptions {
  /** Default 0.95. */
  readonly rho?: number
  /** Default 1e-7. */
  readonly epsilon?: number
}

const lrConfig = (lr: LearningRate): number | string => (typeof lr === 'number' ? lr : 'schedule')

const build = (
  name: OptimizerName,
  direction: GradientTransformation<Tree> | undefined,
  o: BaseOptimizerOptions,
  defaultLr: number,
  defaultWd: number,
  extra: Record<string, number | boolean>
): Optimizer => {
  const lr = o.learningRate ?? defaultLr
  const wd = o.weightDecay ?? defaultWd
  const inner = wd !== 0 ? (direction ? chain(direction, addDecayedWeights(wd)) : addDecayedWeights(wd)) : (direction ?? identity())
  const main = injectLearningRate(inner as GradientTransformation<Tree>, lr) as GradientTransformation<Tree>
  const clips: GradientTransformation<Tree>[] = []
  if (o.clipvalue !== undefined) clips.push(clipByValue(o.clipvalue))
  if (o.clipnorm !== undefined) clips.push(clipByNorm(o.clipnorm))
  if (o.globalClipnorm !== undefined) clips.push(clipByGlobalNorm(o.globalClipnorm))
  const t: GradientTransformation<Tree> = clips.length === 0 ? main : chain(...clips, main)
  const config: Record<string, number | boolean | string> = { learningRate: lrConfig(lr), ...extra }
  if (wd !== 0) config.weightDecay = wd
  if (o.clipvalue !== undefined) config.clipvalue = o.clipvalue
  if (o.clipnorm !== undefined) config.clipnorm = o.clipnorm
  if (o.globalClipnorm !== undefined) config.globalClipnorm = o.globalClipnorm
  return Object.freeze({ init: t.init, update: t.update, name, config: Object.freeze(config) })
}

/**
 * Stochastic gradient descent (Keras defaults: learningRate 0.01, momentum 0, nesterov false).
 * One step without momentum is `p − lr·g`.
 * @example sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true })
 */
export const sgd = (o: SgdOptions = {}): Optimizer => {
  const momentum = o.momentum ?? 0
  const nesterov = o.nesterov ?? false
  return build('sgd', momentum !== 0 ? traceMomentum({ decay: momentum, nesterov }) : undefined, o, 0.01, 0, { momentum, nesterov })
}

const adamConfig = (o: AdamFamilyOptions): Record<string, number> => ({ beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-7 })

/**
 * Adam (Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, Keras's epsilon placement).
 * @example adam({ learningRate: 3e-4 })
 */
export const adam = (o: AdamFamilyOptions = {}): Optimizer => build('adam', scaleByAdam(o), o, 0.001, 0, adamConfig(o))

/**
 * AdamW: Adam with decoupled weight decay (Keras defaults: learningRate 0.001, weightDecay 0.004).
 * @example adamw({ weightDecay: 0.01 })
 */
export const adamw = (o: AdamFamilyOptions = {}): Optimizer => build('adamw', scaleByAdam(o), o, 0.001, 0.004, adamConfig(o))

/**
 * Adamax (Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7).
 * @example adamax()
 */
export const adamax = (o: AdamFamilyOptions = {}): Optimizer => build('adamax', scaleByAdamax(o), o, 0.001, 0, adamConfig(o))

/**
 * Nadam (Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7).
 * @example nadam()
 */
export const nadam = (o: AdamFamilyOptions = {}): Optimizer => build('nadam', scaleByNadam(o), o, 0.001, 0, adamConfig(o))

/**
 * RMSprop (Keras defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false).
 * @example rmsprop({ momentum: 0.9, centered: true })
 */
export const rmsprop = (o: RmspropOptions = {}): Optimizer => {
  const momentum = o.momentum ?? 0
  const rms = scaleByRms({ rho: o.rho, epsilon: o.epsilon, centered: o.centered }) as GradientTransformation<Tree>
  const dir = momentum !== 0 ? (chain(rms, traceMomentum({ decay: momentum })) as GradientTransformation<Tree>) : rms
  return build('rmsprop', dir, o, 0.001, 0, { rho: o.rho ?? 0.9, momentum, epsilon: o.epsilon ?? 1e-7, centered: o.centered ?? false })
}

/**
 * Adagrad (Keras defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7).
 * @example adagrad({ learningRate: 0.01 })
 */
export const adagrad = (o: AdagradOptions = {}): Optimizer =>
  build('adagrad', scaleByRss(o), o, 0.001, 0, { initialAccumulatorValue: o.initialAccumulatorValue ?? 0.1, epsilon: o.epsilon ?? 1e-7 })

/**
 * Adadelta (Keras defaults: learningRate 0.001, rho 0.95, epsilon 1e-7).
 * @example adadelta({ learningRate: 1 })
 */
export const adadelta = (o: AdadeltaOptions = {}): Optimizer => build('adadelta', scaleByAdadelta(o), o, 0.001, 0, { rho: o.rho ?? 0.95, epsilon: o.epsilon ?? 1e-7 })

const base = ['learningRate', 'weightDecay', 'clipnorm', 'clipvalue', 'globalClipnorm'] as const
const adamKeys = [...base, 'beta1', 'beta2', 'epsilon'] as const

/** The named optimizers, by Keras name, with the option names each accepts. */
export const optimizers = {
  sgd: { make: sgd, options: [...base, 'momentum', 'nesterov'] },
  adam: { make: adam, options: adamKeys },
  adamw: { make: adamw, options: adamKeys },
  rmsprop: { make: rmsprop, options: [...base, 'rho', 'momentum', 'epsilon', 'centered'] },
  adagrad: { make: adagrad, options: [...base, 'initialAccumulatorValue', 'epsilon'] },
  adadelta: { make: adadelta, options: [...base, 'rho', 'epsilon'] },
  adamax: { make: adamax, options: adamKeys },
  nadam: { make: nadam, options: adamKeys }
} as const

/** The Keras names `optimizerFromName` accepts (case-insensitive; `_`/`-` ignored). */
export type OptimizerName = keyof typeof optimizers
/** The names, in order. */
export const optimizerNames: ReadonlyArray<OptimizerName> = Object.keys(optimizers) as OptimizerName[]

/** Options accepted by `optimizerFromName` (each optimizer checks that it knows every key given). */
export type AnyOptimizerOptions = SgdOptions & AdamFamilyOptions & RmspropOptions & AdagradOptions & AdadeltaOptions

const normalise = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '')

/**
 * Resolve a Keras optimizer name (`'sgd'`, `'Adam'`, `'RMSprop'`, …) with optional overrides of its
 * defaults. A bad name or option is a `Left` that names what came, what is allowed and the nearest.
 * @example optimizerFromName('adam', { learningRate: 0.01 }) // Right(adam({ learningRate: 0.01 }))
 */
export const optimizerFromName = (name: string, overrides: AnyOptimizerOptions = {}): E.Either<OptimizerError, Optimizer> => {
  if (typeof name !== 'string')
    return E.left(tfError('UnknownOptimizer', `optimizer: expected a name (one of ${optimizerNames.map((n) => `'${n}'`).join(', ')}), received ${show(name)}`, { expected: optimizerNames, received: name }))
  const key = optimizerNames.find((n) => n === normalise(name))
  if (key === undefined) {
    const near = nearest(name, optimizerNames)
    return E.left(
      tfError('UnknownOptimizer', `unknown optimizer '${name}'${near ? ` — did you mean '${near}'?` : ''} (expected one of ${optimizerNames.map((n) => `'${n}'`).join(', ')})`, {
        expected: optimizerNames,
        received: name,
        nearest: near
      })
    )
  }
  const entry = optimizers[key]
  const allowed = entry.options as ReadonlyArray<string>
  for (const k of Object.keys(overrides ?? {}))
    if (!allowed.includes(k))
      return E.left(
        tfError('InvalidOption', `${key}: unknown option '${k}'${didYouMean(k, allowed)} (expected one of ${allowed.map((a) => `'${a}'`).join(', ')})`, {
          op: key,
          path: k,
          expected: allowed,
          received: k
        })
      )
  return attemptOf([...OPTIMIZER_ERROR_TAGS, ...VALUE_ERROR_TAGS])(() => entry.make(overrides))
}


const findRate = (state: Tree): Tensor | undefined => {
  if (isTensor(state)) return undefined
  if (Array.isArray(state)) {
    for (const s of state as ReadonlyArray<Tree>) {
      const r = findRate(s)
      if (r) return r
    }
    return undefined
  }
  if (isRecord(state)) {
    const lr = state.learningRate
    if (isTensor(lr) && lr.size === 1) return lr
    for (const k of Object.keys(state).sort()) {
      const r = findRate(state[k])
      if (r) return r
    }
  }
  return undefined
}

/**
 * The learning rate the next update will use, read from an optimizer state (the first `learningRate`
 * leaf found); `undefined` for a transformation without an injected rate.
 * @example getLearningRate(adam().init(params)) // 0.001 (as float32)
 */
export const getLearningRate = (state: Tree): number | undefined => {
  const t = findRate(state)
  return t === undefined ? undefined : item(t)
}

const replaceRate = (state: Tree, lr: Tensor): [Tree, boolean] => {
  if (isTensor(state)) return [state, false]
  if (Array.isArray(state)) {
    let found = false
    const out = (state as ReadonlyArray<Tree>).map((s) => {
      const [s2, f] = replaceRate(s, lr)
      found ||= f
      return s2
    })
    return [Object.freeze(out), found]
  }
  if (isRecord(state)) {
    let found = false
    const out: Record<string, Tree> = {}
    for (const k of Object.keys(state)) {
      const v = state[k]
      if (k === 'learningRate' && isTensor(v) && v.size === 1) {
        out[k] = lr
        found = true
      } else {
        const [v2, f] = replaceRate(v, lr)
        found ||= f
        out[k] = v2
      }
    }
    return [Object.freeze(out), found]
  }
  return [state, false]
}

/**
 * A new state whose next update uses learning rate `lr` (every `learningRate` leaf is replaced); the
 * input state is unchanged. `Left(NoLearningRate)` when the state has none (a plain `chain` without
 * `injectLearningRate`), `Left(InvalidOption)` for a non-finite rate. This is how
 * LearningRateScheduler and ReduceLROnPlateau change the rate between epochs.
 * @example const s2 = orThrow(setLearningRate(state, 1e-4))
 */
export const setLearningRate = <S extends Tree>(state: S, lr: number): E.Either<OptimizerError, S> => {
  if (typeof lr !== 'number' || !Number.isFinite(lr))
    return E.left(tfError('InvalidOption', `setLearningRate: expected a finite number, received ${show(lr)}`, { op: 'setLearningRate', path: 'learningRate', expected: 'finite number', received: lr }))
  const [out, found] = replaceRate(state, scalar(lr))
  if (!found)
    return E.left(
      tfError('NoLearningRate', 'setLearningRate: this optimizer state has no learningRate leaf; build the optimizer with a named optimizer or injectLearningRate', {
        op: 'setLearningRate',
        expected: 'a state with a learningRate leaf',
        received: 'none'
      })
    )
  return E.right(out as S)
}
