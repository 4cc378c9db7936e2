// One way to end a session: /quit (or Ctrl+C in the UI) and the SIGINT / SIGTERM / SIGHUP
// handlers all resolve the same promise. Our handlers are installed before anything else (blessed
// installs its own that call process.exit), so that goodbyes go out before the process ends.

export interface QuitSignal {
  /** Resolves when the session should end. */
  readonly requested: Promise<void>;
  quit(): void;
  /** Removes the signal handlers. */
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function quitSignal(): QuitSignal {
  let quit!: () => void;
  const requested = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const onSignal = () => quit();
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    requested,
    quit,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
