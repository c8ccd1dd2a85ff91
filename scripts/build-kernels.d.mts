export function compileKernel(watPath: string): Promise<Buffer>;
export function kernelModuleSource(name: string, wasm: Buffer): string;
