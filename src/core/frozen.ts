/**
 * @internal Arrays whose contents will not change, each with a stamp that names those contents.
 *
 * A tensor's data never changes while anything can reach it; the arrays of tensors that died can be
 * given back to a backend and written again (`backend/gpujs/recycle.ts`). Code that makes an array for
 * a tensor, and hands it to no one else, may {@link freeze} it: the array gets a stamp no other array
 * and no later freezing of it will have. Whoever gives an array back for reuse {@link thaw}s it first.
 * So while {@link stampOf} an array answers the stamp it had when something was copied from it, that
 * copy still holds the array's contents: the webasm backend's direct calls skip copying an argument
 * into a kernel's memory when that memory still holds it (`direct-run.ts`).
 *
 * Only arrays made for one tensor and written before it exists are frozen: `tensor()`'s copy of the
 * values it is given, and the webasm backend's kernel results. Arrays a caller may still write (a
 * user's array, a scratch array reused between calls) are never frozen, so they are always copied.
 *
 * @since 0.3.0
 */

const stamps = new WeakMap<object, number>()
let next = 1

/** Mark `a` as an array whose contents will not change until it is {@link thaw}ed; a fresh stamp. */
export const freeze = <T extends object>(a: T): T => {
  stamps.set(a, next++)
  return a
}

/** `a` is about to be written again (given back for reuse): it has no stamp until frozen anew. */
export const thaw = (a: object): void => {
  stamps.delete(a)
}

/** The stamp `a`'s contents have now, or undefined when it is not frozen. */
export const stampOf = (a: object): number | undefined => stamps.get(a)
