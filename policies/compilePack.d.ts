/** The pack in `dir` as one CommonJS module, and the packages it requires at run time (compilePack.js). */
export function compilePack(dir: string): { code: string; packages: string[] };
/** Runs the pack in `dir` (compilePack.js). */
export function loadPack(dir: string): void;
