import { describe, it, expectTypeOf } from 'vitest'
import type { FitOptionsInput, FitOptions, EvaluateOptions, PredictOptionsInput, CompileOptionsInput, BatchOptions } from '../../src/train/options.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import type { Data } from '../../src/train/data.js'
import type { GradientTransformation } from '../../src/optimizers/base.js'
import type { Tree } from '../../src/core/Tree.js'

describe('options types are derived from their codecs', () => {
  it('fit: every input field optional and typed by its codec; decoded fields with defaults are never undefined', () => {
    expectTypeOf<FitOptionsInput['batchSize']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<FitOptionsInput['verbose']>().toEqualTypeOf<0 | 1 | 2 | 'auto' | undefined>()
    expectTypeOf<FitOptionsInput['callbacks']>().toEqualTypeOf<ReadonlyArray<Callback> | undefined>()
    expectTypeOf<FitOptionsInput['sampleWeight']>().toEqualTypeOf<Data | undefined>()
    expectTypeOf<FitOptionsInput['signal']>().toEqualTypeOf<AbortSignal | undefined>()
    expectTypeOf<FitOptionsInput['validationFreq']>().toEqualTypeOf<number | ReadonlyArray<number> | undefined>()
    expectTypeOf<FitOptions['batchSize']>().toEqualTypeOf<number>()
    expectTypeOf<FitOptions['shuffle']>().toEqualTypeOf<boolean>()
    expectTypeOf<FitOptions['stepsPerEpoch']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<FitOptions['write']>().toEqualTypeOf<((s: string) => void) | undefined>()
    expectTypeOf<{ epochs: 3; batchSize: 8 }>().toExtend<FitOptionsInput>()
    // @ts-expect-error a misspelt option is a type error (and a decoding error at run time)
    const bad: FitOptionsInput = { epoch: 3 }
    expectTypeOf(bad).toEqualTypeOf<FitOptionsInput>()
  })
  it('evaluate, predict and the batch functions', () => {
    expectTypeOf<EvaluateOptions['returnDict']>().toEqualTypeOf<boolean>()
    expectTypeOf<EvaluateOptions['steps']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<PredictOptionsInput['steps']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<BatchOptions['returnDict']>().toEqualTypeOf<boolean>()
  })
  it('compile: loss is required, the rest optional', () => {
    expectTypeOf<CompileOptionsInput['optimizer']>().toEqualTypeOf<string | GradientTransformation<Tree> | undefined>()
    expectTypeOf<{ optimizer: 'adam' }>().not.toExtend<CompileOptionsInput>()
    expectTypeOf<{ loss: 'mse' }>().toExtend<CompileOptionsInput>()
    expectTypeOf<CompileOptionsInput['runEagerly']>().toEqualTypeOf<boolean | undefined>()
  })
})
