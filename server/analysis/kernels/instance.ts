/** What every kernel wrapper needs: an instance of its compiled module, and room in its memory. */

const modules = new Map<string, WebAssembly.Module>();

/** A new instance of the kernel whose module is `base64` (compiled once per thread). */
export function instantiate<Exports>(base64: string): Exports & { memory: WebAssembly.Memory } {
  let module = modules.get(base64);
  if (!module) modules.set(base64, (module = new WebAssembly.Module(Buffer.from(base64, 'base64'))));
  return new WebAssembly.Instance(module).exports as unknown as Exports & { memory: WebAssembly.Memory };
}

const PAGE = 65_536;

/**
 * The memory's buffer, grown to at least `bytes`. Growing detaches the views made before,
 * so a wrapper reserves first and makes its views after.
 */
export function reserve(memory: WebAssembly.Memory, bytes: number): ArrayBuffer {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
  return memory.buffer;
}
