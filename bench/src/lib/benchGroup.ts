/** The one group every bench client joins on the Beckon server. */
export const BENCH_GROUP = 'bench';
