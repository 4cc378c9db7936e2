// The composition root's entry: picks the sub-command and hands it the remaining arguments.
// Every sub-command module exports `run(argv) → exit code` and owns its own flags.

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  id: () => import('./id-command.js'),
  discover: () => import('./discover-command.js'),
  send: () => import('./send-command.js'),
  peers: () => import('./peers-command.js'),
  network: () => import('./network-command.js'),
  doctor: () => import('./doctor-command.js'),
  invite: () => import('./invite-command.js'),
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) {
    const load = COMMANDS[first];
    if (load) return (await load()).run(rest);
  }
  const start = await import('./start-command.js');
  return start.run(argv);
}
