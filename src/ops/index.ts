// The op table and every op's function form. A new op exported by a family file is exported
// here, gets its Tensor method and its README row without being listed anywhere else.

export { opTable, publicOps, familyOf, type OpName, type PublicOps } from './table.ts';
export { Tensor } from './methods.ts';
export * from './creation.ts';
export * from './elementwise.ts';
export * from './indexing.ts';
export * from './losses.ts';
export * from './linear.ts';
export * from './matmul.ts';
export * from './reduce.ts';
export * from './shape.ts';
export * from './softmax.ts';
