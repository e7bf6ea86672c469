// The digits of the `mnist` package, as bench/suite/data.ts imports them. Declared here rather
// than resolved (tsconfig.json sets resolveJsonModule to false): parsing the 21 MB of JSON made
// every type-check take several times longer and use over a gigabyte of memory.
declare module 'mnist/src/digits/*.json' {
  const digits: { data: number[] };
  export default digits;
}
