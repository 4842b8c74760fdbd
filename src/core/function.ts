/**
 * `dual`: one implementation, two call forms. A function whose first argument is the value it works on
 * is callable data-first (`add(model, layer)`) and data-last (`pipe(model, add(layer))`), the way
 * Effect's `dual` does it.
 *
 * Law: `dual(n, f)(a, ...rest) = dual(n, f)(...rest)(a)`.
 *
 * @since 0.1.0
 */

/**
 * Make a dual function. `arity` is the number of arguments of the data-first form, or a predicate that
 * says whether the arguments given are the data-first form (for functions with optional arguments).
 * The overloads `F` are given by the annotation of the constant it is assigned to.
 * @example
 * const add: { (n: number): (x: number) => number; (x: number, n: number): number } = dual(2, (x: number, n: number) => x + n)
 * add(1, 2) === pipe(1, add(2))
 */
export const dual = <F>(arity: number | ((args: ReadonlyArray<unknown>) => boolean), body: (...args: never[]) => unknown): F => {
  const isDataFirst = typeof arity === 'number' ? (args: ReadonlyArray<unknown>) => args.length >= arity : arity
  const f = body as unknown as (...args: unknown[]) => unknown
  const d = (...args: unknown[]): unknown => (isDataFirst(args) ? f(...args) : (self: unknown) => f(self, ...args))
  return d as unknown as F
}
