/**
 * How a tensor reads in a REPL, a notebook and a failing property: its shape, dtype and values,
 * abbreviated as NumPy abbreviates (`...` past 1000 values: the first and last three along each axis),
 * columns aligned, floats with up to 4 decimals (scientific notation when the magnitudes call for it).
 *
 * Used by `Tensor`'s `toString`, Node's `util.inspect` (so `console.log` and tslab's output), and
 * fast-check's `fc.stringify` (its `toStringMethod` symbol), so counterexamples show values.
 *
 * @since 0.1.0
 */

/** Past this many values, each axis shows only its first and last `EDGE_ITEMS` entries. */
export const THRESHOLD = 1000
export const EDGE_ITEMS = 3

interface Formatted {
  readonly shape: ReadonlyArray<number>
  readonly dtype: string
  readonly values: ArrayLike<number> | undefined
}

/** The number formatter for a set of values: shared so columns align (NumPy's choice, simplified). */
const numberFormat = (vals: ReadonlyArray<number>, dtype: string): ((v: number) => string) => {
  if (dtype === 'int32') return (v) => String(v)
  const finite = vals.filter((v) => Number.isFinite(v))
  const abs = finite.map(Math.abs).filter((v) => v !== 0)
  const max = abs.length ? Math.max(...abs) : 0
  const min = abs.length ? Math.min(...abs) : 0
  const special = (v: number): string | undefined => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined)
  const allInt = finite.every((v) => Number.isInteger(v))
  const exp = allInt ? max >= 1e16 : max >= 1e8 || (min > 0 && min < 1e-4) || (min > 0 && max / min > 1e3)
  if (exp) return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2')
  if (allInt) return (v) => special(v) ?? `${v}.`
  // the fewest decimals (<= 4) that show every value as it rounds to 4 decimals
  let decimals = 1
  for (const v of finite) {
    const s = v.toFixed(4).replace(/0+$/, '')
    const d = s.length - s.indexOf('.') - 1
    if (d > decimals) decimals = d
  }
  return (v) => special(v) ?? v.toFixed(decimals)
}

/** `[a, b, c]`, abbreviated: the indices of an axis of length n that are shown (-1 marks `...`). */
const shownIndices = (n: number, abbreviate: boolean): number[] => {
  if (!abbreviate || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i)
  return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), -1, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
}

/** The values part, NumPy style: nested brackets, one row per line, blank lines between blocks. */
export const formatValues = (shape: ReadonlyArray<number>, dtype: string, values: ArrayLike<number>, indent = 0): string => {
  const size = shape.reduce((a, b) => a * b, 1)
  const abbreviate = size > THRESHOLD
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
  // the values that will be printed, to pick one format and one width for all
  const shown: number[] = []
  const collect = (axis: number, off: number): void => {
    if (axis === shape.length) return void shown.push(values[off])
    for (const i of shownIndices(shape[axis], abbreviate)) if (i >= 0) collect(axis + 1, off + i * strides[axis])
  }
  collect(0, 0)
  const fmt = numberFormat(shown, dtype)
  const width = Math.max(1, ...shown.map((v) => fmt(v).length))
  const pad = (s: string): string => s.padStart(width)
  if (shape.length === 0) return fmt(values[0])
  const render = (axis: number, off: number, col: number): string => {
    const idx = shownIndices(shape[axis], abbreviate)
    if (axis === shape.length - 1) return `[${idx.map((i) => (i < 0 ? '...' : pad(fmt(values[off + i])))).join(', ')}]`
    const sep = `,${'\n'.repeat(shape.length - axis - 1)}${' '.repeat(col + 1)}`
    return `[${idx.map((i) => (i < 0 ? '...' : render(axis + 1, off + i * strides[axis], col + 1))).join(sep)}]`
  }
  return render(0, 0, indent)
}

/** The whole display: `Tensor(shape=[2, 3], dtype=float32)` then the values. */
export const formatTensor = (t: Formatted): string => {
  const head = `Tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype})`
  if (t.values === undefined) return `${head} <traced: values exist only when the traced function runs>`
  const size = t.shape.reduce((a, b) => a * b, 1)
  if (size === 0) return `${head} []`
  return t.shape.length <= 1 && size <= 8 ? `${head} ${formatValues(t.shape, t.dtype, t.values)}` : `${head}\n${formatValues(t.shape, t.dtype, t.values)}`
}
