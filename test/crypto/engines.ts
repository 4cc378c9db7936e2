// Runs box-stream tests once per secretbox engine. `onEngine` pins the engine for the enclosing
// describe block and, when the block ends, fails it unless that engine really did the boxing: a
// parameterised suite that silently ran on the other engine would prove nothing.
import { afterAll, beforeAll, expect } from 'vitest';
import { libsodiumSecretbox } from '../../src/crypto/secretbox-libsodium.js';
import {
  type SecretboxEngine,
  type SecretboxEngineName,
  tweetnaclSecretbox,
  useSecretboxEngine,
} from '../../src/crypto/secretbox-raw.js';

export const ENGINES: readonly SecretboxEngineName[] = ['tweetnacl', 'libsodium'];

export async function engineNamed(name: SecretboxEngineName): Promise<SecretboxEngine> {
  return name === 'tweetnacl' ? tweetnaclSecretbox : libsodiumSecretbox();
}

/** The engine, counting its calls. */
export function counted(engine: SecretboxEngine): SecretboxEngine & { calls: number } {
  const wrapper = {
    name: engine.name,
    calls: 0,
    box(...args: Parameters<SecretboxEngine['box']>) {
      wrapper.calls++;
      engine.box(...args);
    },
    open(...args: Parameters<SecretboxEngine['open']>) {
      wrapper.calls++;
      return engine.open(...args);
    },
  };
  return wrapper;
}

export function onEngine(name: SecretboxEngineName): void {
  let engine: ReturnType<typeof counted> | undefined;
  beforeAll(async () => {
    engine = counted(await engineNamed(name));
    useSecretboxEngine(engine);
  });
  afterAll(() => {
    useSecretboxEngine(tweetnaclSecretbox);
    expect(engine?.calls, `no box-stream call went through ${name}`).toBeGreaterThan(0);
  });
}
