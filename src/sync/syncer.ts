import type winston from 'winston';
import type { ProxyConfig } from '../config/types.js';
import type { Conntrack } from '../iptables/conntrack.js';
import { rulesWrittenBy, type RestorePlan } from '../iptables/restore-plan.js';
import type { PendingChanges, TakenSnapshot } from '../k8s/cluster-state.js';
import type { IpFamily } from '../model/family.js';
import { TABLE_NAMES, type TableName } from '../model/ruleset.js';
import { RenderCache } from '../render/cache.js';
import { render, type RenderResult } from '../render/render.js';
import { syncFamilies } from './families.js';
import type { HostFactsProvider } from './host-facts.js';
import {
  NOOP_OBSERVER,
  NOOP_SERVICE_HEALTH,
  type FamilyReport,
  type ServiceHealthSink,
  type SyncObserver,
  type SyncReport,
  type TableRuleCounts,
} from './observer.js';
import { errorFields } from './sync-errors.js';
import type { RuleTarget } from './targets.js';
import { staleUdpFlows, udpState, type ConntrackDeletion, type UdpState } from './udp-conntrack.js';
import { localHealthServices } from './views.js';

/**
 * One sync: snapshot -> render per family -> write (apply or dry run) -> report (metrics, log line,
 * health-check servers) -> UDP conntrack hygiene. The scheduler decides when and whether it is
 * full; a failed write throws so it retries (and makes the next sync full).
 */

export interface SnapshotSource {
  /** Every informer has listed once. */
  readonly hasSynced: boolean;
  take(): TakenSnapshot;
  /** Gives back the changes of a take whose sync failed. */
  requeue(changes: TakenSnapshot['changes']): void;
}

export interface SyncerOptions {
  readonly source: SnapshotSource;
  readonly config: ProxyConfig;
  readonly hostFacts: HostFactsProvider;
  readonly target: RuleTarget;
  /** Absent: no conntrack hygiene (e.g. the binary is missing). */
  readonly conntrack?: Conntrack;
  readonly clock: { now(): number };
  readonly logger: winston.Logger;
  readonly observer?: SyncObserver;
  readonly serviceHealth?: ServiceHealthSink;
}

export interface SyncRequest {
  readonly full: boolean;
  readonly reasons?: readonly string[];
}

export class NotSyncedError extends Error {
  override readonly name = 'NotSyncedError';
}

function ruleCounts(result: RenderResult, plan: RestorePlan | undefined): Record<TableName, TableRuleCounts> {
  const counts = {} as Record<TableName, TableRuleCounts>;
  for (const table of TABLE_NAMES) {
    const ops = plan?.tables.find((t) => t.table === table)?.ops ?? [];
    counts[table] = {
      total: result.stats.rules[table],
      last: ops.reduce((n, op) => n + rulesWrittenBy(op), 0),
    };
  }
  return counts;
}

function familyReports(
  results: readonly RenderResult[],
  plans: readonly RestorePlan[],
  triggerTimes: PendingChanges['triggerTimes'],
  finishedAtMs: number,
): FamilyReport[] {
  return results.map((result) => {
    const { ruleSet, stats } = result;
    const plan = plans.find((p) => p.family === ruleSet.family);
    return {
      family: ruleSet.family,
      rules: ruleCounts(result, plan),
      noLocalEndpoints: stats.noLocalEndpoints,
      linesSent: plan === undefined || plan.empty ? 0 : plan.lineCount,
      networkProgrammingSeconds: triggerTimes
        .filter((t) => t.family === ruleSet.family)
        .map((t) => Math.max(0, finishedAtMs - t.ms) / 1000),
    };
  });
}

export class Syncer {
  private syncCount = 0;
  private attempted: readonly IpFamily[] = [];
  private readonly families = new Set<IpFamily>();
  /** Reuses the rules of services whose objects did not change since the last sync. */
  private readonly renderCache = new RenderCache();
  private udp: UdpState = new Map();
  private warned = new Set<string>();
  private readonly log: winston.Logger;

  constructor(private readonly options: SyncerOptions) {
    this.log = options.logger.child({ component: 'syncer' });
  }

  /** Families synced successfully at least once (their canaries must exist). */
  get syncedFamilies(): IpFamily[] {
    return [...this.families];
  }

  async sync(request: SyncRequest): Promise<SyncReport> {
    const { source, clock } = this.options;
    if (!source.hasSynced) throw new NotSyncedError('refusing to sync before every informer has listed');
    const syncId = ++this.syncCount;
    const startedAt = clock.now();
    const { full } = request;
    try {
      return await this.run(syncId, request, startedAt);
    } catch (error) {
      const durationMs = clock.now() - startedAt;
      this.log.error('sync failed', {
        syncId,
        full,
        durationMs,
        reasons: request.reasons,
        ...errorFields(error),
      });
      (this.options.observer ?? NOOP_OBSERVER).syncFailed({
        syncId,
        full,
        durationMs,
        error,
        families: this.attempted,
      });
      throw error;
    }
  }

  private async run(syncId: number, request: SyncRequest, startedAt: number): Promise<SyncReport> {
    const { source, config, target, clock } = this.options;
    const { snapshot, changes } = source.take();
    const families = syncFamilies(config, snapshot, this.families);
    this.attempted = families;
    const host = await this.options.hostFacts();
    const results = families.map((family) => render({ snapshot, config, family, host }, this.renderCache));
    this.logWarnings(results);
    const ruleSets = results.map((r) => r.ruleSet);
    let plans: RestorePlan[];
    try {
      plans = await target.write(ruleSets, { full: request.full, syncId });
    } catch (error) {
      source.requeue(changes);
      throw error;
    }
    for (const f of families) this.families.add(f);

    const finishedAtMs = clock.now();
    const report: SyncReport = {
      syncId,
      full: request.full,
      dryRun: target.dryRun,
      durationMs: finishedAtMs - startedAt,
      finishedAtMs,
      families: familyReports(results, plans, changes.triggerTimes, finishedAtMs),
      chainsWritten: plans.reduce((n, p) => n + p.chainsWritten.length, 0),
      chainsDeleted: plans.reduce((n, p) => n + p.chainsDeleted.length, 0),
      linesSent: plans.reduce((n, p) => n + (p.empty ? 0 : p.lineCount), 0),
      serviceChanges: changes.services.size,
      endpointChanges: changes.endpoints.size,
    };
    this.log.info('sync', {
      syncId,
      full: request.full,
      dryRun: target.dryRun,
      durationMs: report.durationMs,
      chainsWritten: report.chainsWritten,
      chainsDeleted: report.chainsDeleted,
      linesSent: report.linesSent,
      families,
      reasons: request.reasons,
    });
    (this.options.observer ?? NOOP_OBSERVER).syncSucceeded(report);

    const views = new Map(results.map((r) => [r.ruleSet.family, r.views]));
    (this.options.serviceHealth ?? NOOP_SERVICE_HEALTH).update(localHealthServices(views));
    await this.conntrackHygiene(udpState(views), target.dryRun);
    return report;
  }

  private logWarnings(results: readonly RenderResult[]): void {
    const now = new Set<string>();
    for (const r of results) {
      for (const w of r.warnings) {
        const key = `${r.ruleSet.family} ${w.object}: ${w.message}`;
        if (!this.warned.has(key)) this.log.warn(w.message, { object: w.object, family: r.ruleSet.family });
        now.add(key);
      }
    }
    this.warned = now;
  }

  private async conntrackHygiene(next: UdpState, dryRun: boolean): Promise<void> {
    const deletions = staleUdpFlows(this.udp, next);
    this.udp = next;
    const { conntrack } = this.options;
    if (deletions.length === 0 || conntrack === undefined) return;
    for (const d of deletions) await this.deleteFlows(conntrack, d, dryRun);
  }

  private async deleteFlows(conntrack: Conntrack, d: ConntrackDeletion, dryRun: boolean): Promise<void> {
    if (dryRun) {
      this.log.info('would delete stale UDP conntrack entries', { family: d.family, filter: d.filter });
      return;
    }
    try {
      const deleted = await conntrack.delete(d.family, d.filter);
      this.log.debug('deleted stale UDP conntrack entries', { family: d.family, filter: d.filter, deleted });
    } catch (error) {
      this.log.warn('cannot delete stale UDP conntrack entries', {
        family: d.family,
        filter: d.filter,
        ...errorFields(error),
      });
    }
  }
}
