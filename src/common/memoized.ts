/**
 * A pure function of a string, remembering its last `size` results (oldest dropped first): for
 * digests that every request of one client asks for again (its address, its device traits). The
 * inputs stay in this process's memory only, as the requests that brought them did.
 */
export function memoized<V>(size: number, compute: (input: string) => V): (input: string) => V {
  const results = new Map<string, V>();
  return (input) => {
    let value = results.get(input);
    if (value === undefined) {
      value = compute(input);
      if (results.size >= size) results.delete(results.keys().next().value as string);
      results.set(input, value);
    }
    return value;
  };
}
