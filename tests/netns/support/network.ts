/**
 * The multi-host test's network: one Linux network namespace per host (the gateway and each institution),
 * joined by veth pairs to a router namespace that forwards between them, plus one veth from the test's own
 * namespace to the gateway host (the client's link). Faults are made on the router, per institution link:
 *
 * - latency and jitter: `tc netem` on both directions where the kernel has it; otherwise (kernels built
 *   without `sch_netem`, such as this project's CI machines) the router queues the link's packets to
 *   NFQUEUE and `nfq-delay` (nfq-delay.c, compiled here) holds each one for the same delay ± jitter;
 * - loss: the kernel drops packets at random (`iptables -m statistic`), both directions;
 * - partition: the kernel drops every packet of the link (both directions, or only responses / only
 *   requests), silently, as a cut cable or a dead router does: the other side sees time-outs, not refusals.
 *
 * Only addresses of 10.213.0.0/16 on these veths, and each namespace's loopback, are used.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PREFIX = 'kyoyo-nt';
const ROUTER = `${PREFIX}-wan`;
/** The test's end of the client link (in the test's own namespace). */
const CLIENT_IF = 'kyoyo-nt-c0';

export interface Host {
  name: string;
  namespace: string;
  /** The host's address on its link to the router. */
  address: string;
}

export interface Impairment {
  delayMs: number;
  jitterMs: number;
  /** Packets dropped at random, in percent, each direction. */
  lossPercent?: number;
}

/**
 * Which packets a partition drops: everything both ways; only the institution's answers (its data packets:
 * requests arrive and are acknowledged, answers vanish); or everything towards the institution.
 */
export type PartitionKind = 'both' | 'responses' | 'requests';

async function sh(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(args[0]!, args.slice(1));
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

const inNs = (ns: string, ...args: string[]) => sh(['ip', 'netns', 'exec', ns, ...args]);

/** Why this machine cannot run the multi-host test, or null when it can. */
export async function unavailableReason(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  for (const tool of [
    ['ip', '-V'],
    ['iptables', '--version'],
    ['cc', '--version'],
  ]) {
    try {
      await run(tool[0]!, tool.slice(1));
    } catch {
      return `\`${tool[0]}\` is not installed (${tool[0] === 'iptables' ? 'Debian package iptables' : tool[0] === 'cc' ? 'gcc' : 'iproute2'})`;
    }
  }
  try {
    await sh(['ip', 'netns', 'add', `${PREFIX}-probe`]);
    await sh(['ip', 'netns', 'del', `${PREFIX}-probe`]);
  } catch (error) {
    return `cannot create a network namespace here: ${(error as Error).message}`;
  }
  return null;
}

/** Removes what an earlier, interrupted run left behind. */
export async function removeLeftovers(): Promise<void> {
  const list = await sh(['ip', 'netns', 'list']);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (!name?.startsWith(PREFIX)) continue;
    // Processes an interrupted run left in the namespace would keep it (and their ports) alive.
    const pids = (await sh(['ip', 'netns', 'pids', name]).catch(() => '')).split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sh(['ip', 'netns', 'del', name]).catch(() => undefined);
  }
  await sh(['ip', 'link', 'del', CLIENT_IF]).catch(() => undefined);
  await sh(['pkill', '-f', 'kyoyo-nfq-delay']).catch(() => undefined);
}

export class Network {
  readonly router = ROUTER;
  /** The gateway host's address on the client link, where the test reaches it. */
  readonly gatewayClientAddress = '10.213.200.2';
  readonly gateway: Host = { name: 'gateway', namespace: `${PREFIX}-gw`, address: '10.213.0.2' };
  readonly institutions: Host[];
  /** `tc netem` when the kernel has it, else NFQUEUE + nfq-delay. */
  latencyMechanism: 'netem' | 'nfqueue' = 'nfqueue';
  private readonly delayers = new Map<string, ChildProcess>();
  private readonly rules = new Map<string, string[][]>();

  constructor(
    institutionCount: number,
    /** The compiled nfq-delay program. */
    private readonly delayProgram: string,
  ) {
    this.institutions = Array.from({ length: institutionCount }, (_, i) => ({
      name: `i${i + 1}`,
      namespace: `${PREFIX}-i${i + 1}`,
      address: `10.213.${i + 1}.2`,
    }));
  }

  private routerIf(host: Host): string {
    return `r-${host.name}`;
  }

  /** Creates the namespaces, links, addresses and routes; detects netem. */
  async create(): Promise<void> {
    const taken = await sh(['ip', '-4', '-o', 'addr', 'show']);
    if (taken.includes(' 10.213.')) throw new Error('10.213.0.0/16 is already in use on this machine');
    await sh(['ip', 'netns', 'add', ROUTER]);
    await inNs(ROUTER, 'ip', 'link', 'set', 'lo', 'up');
    await inNs(ROUTER, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    for (const [index, host] of [this.gateway, ...this.institutions].entries()) {
      const subnet = host === this.gateway ? 0 : index;
      const ns = host.namespace;
      await sh(['ip', 'netns', 'add', ns]);
      await inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      await sh(['ip', 'link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', this.routerIf(host), 'netns', ROUTER]);
      await inNs(ns, 'ip', 'addr', 'add', `${host.address}/30`, 'dev', 'eth0');
      await inNs(ROUTER, 'ip', 'addr', 'add', `10.213.${subnet}.1/30`, 'dev', this.routerIf(host));
      await inNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
      await inNs(ROUTER, 'ip', 'link', 'set', this.routerIf(host), 'up');
      await inNs(ns, 'ip', 'route', 'add', 'default', 'via', `10.213.${subnet}.1`);
    }
    // The client link: the test's namespace ↔ the gateway host.
    await sh(['ip', 'link', 'add', CLIENT_IF, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', this.gateway.namespace]);
    await sh(['ip', 'addr', 'add', '10.213.200.1/30', 'dev', CLIENT_IF]);
    await sh(['ip', 'link', 'set', CLIENT_IF, 'up']);
    await inNs(this.gateway.namespace, 'ip', 'addr', 'add', `${this.gatewayClientAddress}/30`, 'dev', 'eth1');
    await inNs(this.gateway.namespace, 'ip', 'link', 'set', 'eth1', 'up');

    try {
      await inNs(ROUTER, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms');
      await inNs(ROUTER, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root');
      this.latencyMechanism = 'netem';
    } catch {
      this.latencyMechanism = 'nfqueue';
    }
  }

  /** Runs a command inside a host's namespace (detached output handling is the caller's). */
  spawnIn(host: Host, command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
    return spawn('ip', ['netns', 'exec', host.namespace, command, ...args], options);
  }

  private async iptables(action: '-A' | '-I' | '-D', rule: string[]): Promise<void> {
    await inNs(ROUTER, 'iptables', action, 'FORWARD', ...rule);
  }

  private async addRules(key: string, rules: string[][], action: '-A' | '-I' = '-A'): Promise<void> {
    const kept = this.rules.get(key) ?? [];
    for (const rule of rules) {
      await this.iptables(action, rule);
      kept.push(rule);
    }
    this.rules.set(key, kept);
  }

  private async removeRules(key: string): Promise<void> {
    for (const rule of this.rules.get(key) ?? []) await this.iptables('-D', rule);
    this.rules.delete(key);
  }

  /** Adds latency, jitter and loss to an institution's link, both directions (replacing earlier ones). */
  async impair(host: Host, impairment: Impairment): Promise<void> {
    await this.clearImpairment(host);
    const dev = this.routerIf(host);
    const loss = impairment.lossPercent ?? 0;
    if (this.latencyMechanism === 'netem') {
      const netem = ['netem', 'delay', `${impairment.delayMs}ms`, `${impairment.jitterMs}ms`];
      await inNs(ROUTER, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', ...netem);
      await inNs(host.namespace, 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', ...netem);
    } else {
      const queue = String(this.institutions.indexOf(host) + 1);
      const delayer = spawn(
        'ip',
        ['netns', 'exec', ROUTER, this.delayProgram, queue, String(impairment.delayMs), String(impairment.jitterMs)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      this.delayers.set(host.name, delayer);
      const [line] = (await once(delayer.stdout!, 'data')) as [Buffer];
      if (!line.toString().startsWith('ready')) throw new Error(`nfq-delay did not start: ${line.toString()}`);
      await this.addRules(`delay:${host.name}`, [
        ['-o', dev, '-j', 'NFQUEUE', '--queue-num', queue, '--queue-bypass'],
        ['-i', dev, '-j', 'NFQUEUE', '--queue-num', queue, '--queue-bypass'],
      ]);
    }
    if (loss > 0) {
      const probability = String(loss / 100);
      await this.addRules(
        `loss:${host.name}`,
        [
          ['-o', dev, '-m', 'statistic', '--mode', 'random', '--probability', probability, '-j', 'DROP'],
          ['-i', dev, '-m', 'statistic', '--mode', 'random', '--probability', probability, '-j', 'DROP'],
        ],
        '-I',
      );
    }
  }

  /** Takes latency, jitter and loss off an institution's link. */
  async clearImpairment(host: Host): Promise<void> {
    await this.removeRules(`loss:${host.name}`);
    await this.removeRules(`delay:${host.name}`);
    const delayer = this.delayers.get(host.name);
    if (delayer) {
      this.delayers.delete(host.name);
      const exited = once(delayer, 'exit');
      delayer.kill('SIGTERM');
      await exited;
    }
    if (this.latencyMechanism === 'netem') {
      await inNs(ROUTER, 'tc', 'qdisc', 'del', 'dev', this.routerIf(host), 'root').catch(() => undefined);
      await inNs(host.namespace, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root').catch(() => undefined);
    }
  }

  /** Cuts an institution off: its packets are dropped silently (before any delay or loss rule). */
  async partition(host: Host, kind: PartitionKind = 'both'): Promise<void> {
    const dev = this.routerIf(host);
    const rules: string[][] = [];
    if (kind === 'both') rules.push(['-i', dev, '-j', 'DROP'], ['-o', dev, '-j', 'DROP']);
    // The institution's answers are lost but the connection's handshake and acknowledgements still pass,
    // so a request reaches the institution and is worked on: only packets carrying data come back dropped.
    if (kind === 'responses') rules.push(['-i', dev, '-p', 'tcp', '-m', 'length', '--length', '100:65535', '-j', 'DROP']);
    if (kind === 'requests') rules.push(['-o', dev, '-j', 'DROP']);
    await this.addRules(`partition:${host.name}`, rules, '-I');
  }

  /** Ends a partition. */
  async heal(host: Host): Promise<void> {
    await this.removeRules(`partition:${host.name}`);
  }

  /** Deletes every namespace and link (their processes must have been stopped first). */
  async destroy(): Promise<void> {
    for (const host of this.institutions) await this.clearImpairment(host).catch(() => undefined);
    await removeLeftovers();
  }
}

/** Compiles nfq-delay.c into `outFile`. */
export async function buildDelayProgram(outFile: string): Promise<void> {
  const source = fileURLToPath(new URL('./nfq-delay.c', import.meta.url));
  await sh(['cc', '-O2', '-Wall', '-Wextra', '-Werror', '-o', outFile, source]);
}
