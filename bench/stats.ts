/** The middle of an odd number of runs (the upper middle of an even one): what one-off disturbances move least. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
