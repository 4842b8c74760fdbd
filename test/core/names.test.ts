import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { nameTable, LOSS_ALIASES, METRIC_ALIASES } from '../../src/core/names.js'
import { lossNameTable, lossFromName } from '../../src/losses/index.js'
import { metricNameTable, metricFromName } from '../../src/metrics/index.js'

describe('the one table of loss and metric names', () => {
  it('every alias and every canonical name resolves, in any case and with - or _', () => {
    for (const [table, aliases, from] of [
      [lossNameTable, LOSS_ALIASES, (n: string): boolean => E.isRight(lossFromName(n))],
      [metricNameTable, METRIC_ALIASES, (n: string): boolean => E.isRight(metricFromName(n))]
    ] as const) {
      for (const n of table.names) {
        expect(table.canonical(n)).toBe(n)
        expect(table.canonical(n.toUpperCase().replace(/_/g, '-'))).toBe(n)
      }
      for (const [n, others] of Object.entries(aliases)) for (const a of others) {
        expect(table.canonical(a)).toBe(n)
        expect(from(a)).toBe(true)
        expect(table.accepted).toContain(a)
      }
    }
    expect(lossNameTable.canonical('MeanSquaredError')).toBe('mean_squared_error')
    expect(metricNameTable.canonical('acc')).toBe('accuracy')
  })
  it('unknown names and non-strings are undefined; an alias of a missing name is refused', () => {
    expect(lossNameTable.canonical('mean_squared_eror')).toBeUndefined()
    expect(lossNameTable.canonical(3)).toBeUndefined()
    expect(() => nameTable(['a'], { b: ['c'] })).toThrow(/'b' is not a name/)
  })
})
