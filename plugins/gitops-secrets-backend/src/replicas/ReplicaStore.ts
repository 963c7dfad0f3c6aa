import type { DatabaseService } from '@backstage/backend-plugin-api';

/** Knex as Backstage's database service hands it out (no direct dependency on knex). */
type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;
type TableBuilder = NonNullable<Parameters<Knex['schema']['createTable']>[1]>;

const REPLICAS = 'gitops_secrets_replicas';
const OWNERS = 'gitops_secrets_cluster_owners';

/** Creates a table unless another replica, starting at the same time, already did. */
async function ensureTable(
  knex: Knex,
  name: string,
  build: TableBuilder,
): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  try {
    await knex.schema.createTable(name, build);
  } catch (e) {
    if (!(await knex.schema.hasTable(name))) throw e;
  }
}

/**
 * The replicas' heartbeats and the cluster → replica assignment, in the plugin's database (PostgreSQL when
 * several replicas share it). Times are epoch milliseconds of the writing replica's clock: replicas are
 * expected to keep their clocks in sync (NTP) to within a second or two.
 */
export class ReplicaStore {
  constructor(private readonly knex: Knex) {}

  async ensureTables(): Promise<void> {
    await ensureTable(this.knex, REPLICAS, t => {
      t.string('replica_id', 100).primary();
      t.bigInteger('seen_at').notNullable();
    });
    await ensureTable(this.knex, OWNERS, t => {
      t.string('cluster', 255).primary();
      t.string('replica_id', 100).notNullable();
      t.bigInteger('assigned_at').notNullable();
    });
  }

  async heartbeat(replicaId: string, at: number): Promise<void> {
    await this.knex(REPLICAS)
      .insert({ replica_id: replicaId, seen_at: at })
      .onConflict('replica_id')
      .merge(['seen_at']);
  }

  /** Replicas seen at or after `since`, and removal of those long gone (so the table stays small). */
  async liveReplicas(since: number, forgetBefore: number): Promise<string[]> {
    await this.knex(REPLICAS).where('seen_at', '<', forgetBefore).delete();
    const rows = await this.knex(REPLICAS)
      .where('seen_at', '>=', since)
      .select('replica_id');
    return rows.map(r => String(r.replica_id)).sort();
  }

  async remove(replicaId: string): Promise<void> {
    await this.knex(REPLICAS).where('replica_id', replicaId).delete();
  }

  async owners(): Promise<Map<string, string>> {
    const rows = await this.knex(OWNERS).select('cluster', 'replica_id');
    return new Map(rows.map(r => [String(r.cluster), String(r.replica_id)]));
  }

  /** Make the assignment exactly `wanted`, writing only the rows that change. Returns the clusters that moved. */
  async setOwners(wanted: Map<string, string>, at: number): Promise<string[]> {
    return this.knex.transaction(async trx => {
      const rows = await trx(OWNERS).select('cluster', 'replica_id');
      const current = new Map(
        rows.map(r => [String(r.cluster), String(r.replica_id)]),
      );
      const gone = [...current.keys()].filter(c => !wanted.has(c));
      if (gone.length) await trx(OWNERS).whereIn('cluster', gone).delete();
      const moved: string[] = [];
      for (const [cluster, replica] of wanted) {
        if (current.get(cluster) === replica) continue;
        moved.push(cluster);
        await trx(OWNERS)
          .insert({ cluster, replica_id: replica, assigned_at: at })
          .onConflict('cluster')
          .merge(['replica_id', 'assigned_at']);
      }
      return moved;
    });
  }
}
