// `lanchat doctor`: the checklist to run when somebody is missing. It looks at this host
// (interfaces, multicast, the TCP port, other mDNS responders, the profile and its disk) and asks
// the node of this profile — the running one over control.sock, else a temporary one it starts
// for a short discovery window — which peers it heard of and why the unconnected ones failed.
// Sends only on this host's own interfaces. Exit 0 when nothing is a problem, 1 otherwise.
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NodeDiagnosis } from '../core/diagnosis.js';
import { DnsSdBrowser, systemDnsSdResolver } from '../discovery/dns-sd-browser.js';
import { labelOfInstance, nickOfLabel } from '../discovery/mdns-names.js';
import { multicastSelfTest, type SelfTestResult } from '../discovery/multicast-self-test.js';
import { explainInterfaces, listInterfaces, sysfsFacts } from '../discovery/net-interfaces.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_USAGE,
  commonOptionsFrom,
  type NodeConfig,
  type ResolveContext,
  resolveNodeConfig,
} from './common-options.js';
import { ControlError } from './control-protocol.js';
import { dnsSdFindings } from './doctor/dns-sd-findings.js';
import { type Finding, finding, problemsOf } from './doctor/finding.js';
import { interfaceFindings } from './doctor/interface-findings.js';
import { multicastFindings } from './doctor/multicast-findings.js';
import { peerFindings } from './doctor/peer-findings.js';
import { portFindings } from './doctor/port-check.js';
import { profileFindings } from './doctor/profile-findings.js';
import { rememberedFindings } from './doctor/remembered-peers.js';
import { type DoctorReport, reportJson, reportText } from './doctor/report.js';
import { responderFindings, strangerFindings } from './doctor/responder-findings.js';
import { mdnsResponders } from './doctor/responders.js';
import { EXIT_FAILURE, errorMessage, reportCommandError, UsageError } from './errors.js';
import { type ProfileNode, type RuntimeFactory, reachProfileNode, stopTemporary } from './profile-node.js';

export const DEFAULT_DOCTOR_WAIT_S = 3;
const AVAHI_SOCKET = '/run/avahi-daemon/socket';
const MAX_WAIT_S = 60;

const commonUsage = COMMON_OPTIONS_USAGE.split('\n')
  .filter((line) => !/^\s+--(headless|json)\b/.test(line))
  .join('\n');

export const DOCTOR_USAGE = `Usage: lanchat doctor [--json] [--wait S] [options]

Checks why peers may be missing and says what to do: the interfaces lanchat uses and skips,
a multicast send/receive self-test on each, the TCP port, mDNS name conflicts, other mDNS
responders on this host, peers heard but not connected (and why), the profile's permissions
and free disk space. If lanchat runs with this profile it is asked; otherwise doctor starts it
for a short discovery window and says goodbye.

  --json     print one JSON object {"type":"doctor","healthy":…,"findings":[…],"problems":[…]}
  --wait S   seconds to discover and connect when doctor starts lanchat itself
             (default ${DEFAULT_DOCTOR_WAIT_S})
${commonUsage}

Exit status: 0 no problem found, 1 problems found (listed at the end), 2 bad command line.
`;

const DOCTOR_OPTIONS = (() => {
  const { headless: _headless, ...common } = COMMON_OPTIONS;
  return { ...common, wait: { type: 'string' } } as const;
})();

export interface DoctorIo extends CommandIo {
  username?: () => string;
  createRuntime?: RuntimeFactory;
}

export async function run(argv: string[], io: DoctorIo = processCommandIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, DOCTOR_OPTIONS);
    json = values.json ?? false;
    if (values.help) {
      io.stdout(DOCTOR_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const waitMs = waitFrom(values.wait);
    const context: ResolveContext = { env: io.env, ...(io.username ? { username: io.username } : {}) };
    const config = resolveNodeConfig(commonOptionsFrom(values), context);
    const report = await examine(config, waitMs, io);
    io.stdout(json ? `${reportJson(report)}\n` : reportText(report));
    return problemsOf(report.findings).length === 0 ? 0 : EXIT_FAILURE;
  } catch (err) {
    return reportCommandError(err, 'lanchat doctor', { json, stdout: io.stdout, stderr: io.stderr });
  }
}

async function examine(config: NodeConfig, waitMs: number, io: DoctorIo): Promise<DoctorReport> {
  const findings: Finding[] = [...profileFindings(config.profileDir)];
  const explained = explainInterfaces(listInterfaces(networkInterfaces()), config.interfaces, sysfsFacts);
  findings.push(...interfaceFindings(explained));
  const used = explained.filter((e) => e.used).map((e) => e.iface);
  findings.push(...responderFindings(mdnsResponders(), existsSync(AVAHI_SOCKET)));

  let node: ProfileNode | undefined;
  try {
    node = await reachProfileNode({
      config,
      deadline: Date.now() + Math.max(waitMs, 5_000),
      ...(io.createRuntime ? { createRuntime: io.createRuntime } : {}),
      onCreatedIdentity: (path) => io.stderr(`lanchat doctor: created a new identity in ${path}\n`),
    });
  } catch (err) {
    findings.push(
      finding('port', 'fail', `lanchat cannot start on this profile: ${errorMessage(err)}`, fixForStart(err)),
    );
  }
  try {
    if (node?.kind === 'temporary') await new Promise((resolve) => setTimeout(resolve, waitMs));
    // The node (ours or the running one) answers our self-test query too: run it while it is up.
    const selfTests = await Promise.all(
      used.flatMap((iface) =>
        ([4, 6] as const)
          .filter((family) => iface.addresses.some((a) => a.family === family))
          .map((family) => multicastSelfTest(iface, family)),
      ),
    );
    findings.push(
      ...multicastFindings(selfTests, new Set(used.flatMap((i) => i.addresses.map((a) => a.address)))),
    );
    const diagnosis = node ? await diagnose(node) : undefined;
    if (diagnosis) {
      findings.push(...(await portFindings(diagnosis.port, used)));
      if (diagnosis.port !== config.port) {
        findings.push(
          finding(
            'port',
            'warn',
            `TCP port ${config.port} is taken by another program; lanchat listens on ${diagnosis.port} instead`,
            `peers still find it through mDNS, but --peer users must use port ${diagnosis.port}; free ${config.port} or pass another --port`,
          ),
        );
      }
      findings.push(...peerFindings(diagnosis, liveNames(instancesOf(selfTests))));
      findings.push(...strangerFindings(instancesOf(selfTests), diagnosis));
      findings.push(...rememberedFindings(diagnosis.remembered));
    }
    if (config.dnsSdDomains.length > 0) {
      const browser = new DnsSdBrowser({
        domains: config.dnsSdDomains,
        resolver: systemDnsSdResolver(config.dnsServers),
      });
      findings.push(...dnsSdFindings(config.dnsSdDomains, await browser.browseOnce()));
    }
  } finally {
    if (node?.kind === 'temporary') await stopTemporary(node.runtime);
    if (node?.kind === 'running') node.client.close();
  }
  return { profile: config.profileDir, node: node?.kind ?? 'none', findings };
}

async function diagnose(node: ProfileNode): Promise<NodeDiagnosis> {
  if (node.kind === 'temporary') return node.runtime.node.diagnose();
  const answer = await node.client.request({ cmd: 'diagnose' });
  if (answer.type === 'diagnosis') return answer.diagnosis;
  if (answer.type === 'error' && answer.code === 'unknown-command') {
    throw new ControlError(
      'bad-reply',
      'the running lanchat is too old for doctor; restart it with this version',
    );
  }
  throw new ControlError('bad-reply', `the running lanchat answered diagnose with '${answer.type}'`);
}

/** The labels of the lanchat instances that answered the self-test query, and the nicks they
 * stand for (the same on a public network; a private network's labels are random). */
function liveNames(instances: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const instance of instances) {
    const label = labelOfInstance(instance);
    if (label !== undefined) names.add(label).add(nickOfLabel(label));
  }
  return names;
}

function instancesOf(results: readonly SelfTestResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.instances))];
}

function fixForStart(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (code === 'locked')
    return 'another lanchat holds this profile: stop it, or run doctor with its --profile';
  return 'fix the error above (permissions of the profile, a damaged database) and run doctor again';
}

function waitFrom(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DOCTOR_WAIT_S * 1000;
  const seconds = /^[0-9]{1,3}(\.[0-9]{1,3})?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds >= 0 && seconds <= MAX_WAIT_S)) {
    throw new UsageError(`--wait takes seconds from 0 to ${MAX_WAIT_S}, e.g. --wait 5 (got '${raw}')`);
  }
  return seconds * 1000;
}
