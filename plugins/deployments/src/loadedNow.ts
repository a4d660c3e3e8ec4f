/**
 * A component (or any value) that is already loaded, as the promise an
 * extension's loader returns — but one whose `then` calls back at once
 * instead of in a later microtask.
 *
 * Backstage wraps every extension in `React.lazy`. Given a real promise, even
 * an already resolved one, the lazy component suspends the first time it
 * renders: React commits the page with a progress bar, and renders the
 * component only in a second pass. Given this, `React.lazy` finds the
 * component resolved in the same pass and renders it at once. Chained with
 * `then`, it stays immediate; anything that awaits it still works, a
 * microtask later, like a promise. It is never rejected; a callback that
 * throws rejects what its `then` returns, as with a promise.
 */
export function loadedNow<T>(value: T): Promise<T> {
  const loaded: Promise<T> = {
    then<R1 = T, R2 = never>(
      onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    ): Promise<R1 | R2> {
      if (!onFulfilled) return loaded as unknown as Promise<R1>;
      let next: R1 | PromiseLike<R1>;
      try {
        next = onFulfilled(value);
      } catch (error) {
        return Promise.reject(error);
      }
      return isThenable(next) ? Promise.resolve(next) : loadedNow(next);
    },
    catch: () => loaded,
    finally(onFinally?: (() => void) | null) {
      return loaded.then(settled => {
        onFinally?.();
        return settled;
      });
    },
    [Symbol.toStringTag]: 'Promise',
  };
  return loaded;
}

function isThenable<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<R>).then === 'function'
  );
}
