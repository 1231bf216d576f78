/**
 * The URL of a worker thread's module next to the calling module. The
 * compiled server runs `<name>.js`; when the TypeScript sources run (vitest,
 * tsx) a small bootstrap registers tsx in the thread first, because worker
 * threads do not inherit the parent's module loader.
 */
export function threadUrl(callerUrl: string, name: string): URL {
  const source = callerUrl.endsWith('.ts');
  const thread = new URL(`./${name}${source ? '.ts' : '.js'}`, callerUrl);
  if (!source) return thread;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `const tsx = await import(${JSON.stringify(tsx)}); tsx.register(); await import(${JSON.stringify(thread.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
