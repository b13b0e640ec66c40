// Compiling the core in any host: from its bytes, a Response, or a URL. Browser-safe.

/**
 * Compiles the core (build/core.wasm, shipped as `wasmvisor/core.wasm`) from its bytes, a
 * Response, or a URL to fetch: once per page or process; every VM instantiates the result.
 */
export async function loadCore(source: ArrayBuffer | Uint8Array | Response | string | URL): Promise<WebAssembly.Module> {
  if (typeof source === "string" || source instanceof URL) source = await fetch(source);
  if (source instanceof Response) {
    if (!source.ok) throw new Error(`cannot load the wasmvisor core: ${source.status} ${source.statusText}`);
    return typeof WebAssembly.compileStreaming === "function" && source.headers.get("content-type") === "application/wasm"
      ? WebAssembly.compileStreaming(source)
      : WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source instanceof Uint8Array ? source.slice().buffer : source);
}
