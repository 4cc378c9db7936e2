// What `/connect` accepts: an invite code (or its lanchat:// URI), or KEY@IP[:PORT] with an IP
// literal (core does no DNS; `--peer KEY@HOST` resolves names on the command line). An invite must
// be for our network and its addresses pass the address policy (invite-code.ts); KEY@IP is typed
// by the user, like --peer, so any unicast address goes.
import type { PeerHint } from '../discovery/discovery.js';
import { base64Of, parseId } from '../identity/ids.js';
import { canonicalAddress, classifyAddress } from '../protocol/address-policy.js';
import { checkInviteNetwork, decodeInvite, InviteError, looksLikeInvite } from '../protocol/invite-code.js';
import { NodeError } from './node-error.js';

export const DEFAULT_PEER_PORT = 7475;

export function connectTarget(text: string, networkTag: string): PeerHint {
  const input = text.trim();
  if (looksLikeInvite(input) || !input.includes('@')) {
    try {
      const invite = decodeInvite(input);
      checkInviteNetwork(invite, networkTag);
      return {
        publicKey: base64Of(invite.publicKey),
        nick: '',
        addresses: invite.addresses,
        port: invite.port,
        source: 'invite',
      };
    } catch (err) {
      if (err instanceof InviteError) throw new NodeError('invalid', err.message);
      throw err;
    }
  }
  return keyAtAddress(input);
}

function keyAtAddress(input: string): PeerHint {
  const fail = (problem: string): never => {
    throw new NodeError('invalid', `${problem}; expected an invite code (lanchat invite) or KEY@IP[:PORT]`);
  };
  const at = input.indexOf('@');
  const key = parseId(input.slice(0, at));
  if (!key) return fail('the key is not a lanchat id');
  const rest = input.slice(at + 1);
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(rest);
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(rest);
  const [, host = '', portText] = bracketed ?? plain ?? [];
  const address = canonicalAddress(host);
  if (!address) return fail(`'${rest}' is not IP[:PORT] (an IPv6 address goes in brackets)`);
  const kind = classifyAddress(address);
  if (kind !== 'private' && kind !== 'public' && kind !== 'link-local' && kind !== 'loopback')
    return fail(`${address} is a ${kind} address`);
  const port = portText === undefined ? DEFAULT_PEER_PORT : Number(portText);
  if (!(port >= 1 && port <= 65535)) return fail(`the port ${portText} is not 1-65535`);
  return { publicKey: base64Of(key), nick: '', addresses: [address], port, source: 'invite' };
}
