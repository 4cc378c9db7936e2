// The two parties most handshake tests use (alice dials bob on the default network) and the
// state after messages 1 and 2, where the attacks on messages 3 and 4 start from.
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { clientHello, clientVerifyServerHello, createClient } from '../../src/crypto/shs-client.js';
import { createServer, serverHello, serverVerifyClientHello } from '../../src/crypto/shs-server.js';
import { identityFromSeed } from './keys.js';

export const K = DEFAULT_NETWORK_KEY;
export const alice = identityFromSeed(1);
export const bob = identityFromSeed(2);

/** Fresh ephemerals each call: both sides after the hello exchange. */
export function afterHellos() {
  const c0 = createClient({ identity: alice, networkKey: K, serverPublicKey: bob.publicKey });
  const s0 = createServer({ identity: bob, networkKey: K });
  const s1 = serverVerifyClientHello(s0, clientHello(c0));
  const c1 = clientVerifyServerHello(c0, serverHello(s1));
  return { c0, s0, s1, c1 };
}
