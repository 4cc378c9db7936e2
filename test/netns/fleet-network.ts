// The hooks every headless netns test file needs, in one place: the network is built once before
// the file's tests, each test's nodes are killed after it (a failing test never leaves one running
// into the next), and everything is torn down at the end.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNetwork, type Network, type NetworkOptions } from './harness.js';
import type { HeadlessFleet } from './headless-node.js';

/** Call inside the file's describe; `created` hands the network to the tests. */
export function useFleetNetwork(
  options: NetworkOptions,
  fleet: HeadlessFleet,
  created: (network: Network) => void,
): void {
  let network: Network | undefined;
  beforeAll(async () => {
    network = await createNetwork(options);
    created(network);
  }, 60_000);
  afterEach(() => fleet.stopAll());
  afterAll(async () => {
    await fleet.stopAll();
    await network?.destroy();
  });
}
