/** Prints how the addon this process loaded waits for a contended lock (its `waitMethod`). */
interface NativeModule {
  flockBackend(): { waitMethod: string };
}
// The compiled module the package itself uses (not exported by the package).
const native = (await import(new URL("../../../dist/fs/_native.js", import.meta.url).href)) as NativeModule;
process.stdout.write(`${native.flockBackend().waitMethod}\n`);
