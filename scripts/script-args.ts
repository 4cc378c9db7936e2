// The benchmark and capture scripts' command line: `--name value` pairs after the script.

/** The value after `name` on the command line, or `fallback` when it is absent. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
