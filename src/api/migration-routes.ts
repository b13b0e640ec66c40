// The API's live-migration routes (src/migration/ does the work):
//   PUT /vms/{id}/migrate      {"destination": "HOST:PORT"}: moves a running (or paused) VM to
//                              the wasmvisor serve at HOST:PORT; answers when it runs there,
//                              with the figures (rounds, pages, bytes, total and downtime in ms)
//   GET /migrations/incoming   the WebSocket a source host connects to; the shared migration
//                              secret authenticates it (so it needs no access token)
import type { FastifyInstance } from "fastify";
import { HypervisorError } from "../hypervisor/errors.js";
import type { Host } from "../hypervisor/host.js";
import { migrateOut } from "../migration/source.js";
import { acceptMigration } from "../migration/target.js";
import { connectMigration, MIGRATION_PATH, wsTransport } from "./migration.js";
import { migrateBody, vmId, type VmBody } from "./schema.js";

export interface MigrationContext {
  /** The secret shared with other hosts; without one this host neither sends nor takes VMs. */
  secret: string | undefined;
  bodies: Map<string, VmBody>;
  /** Defines an incoming VM from the source's definition of it (throws to refuse it). */
  define(id: string, body: VmBody): void;
  /** A VM left this host (migrated away, or an incoming one that failed and was deleted). */
  forget(id: string): void;
  /** An incoming VM runs here now. */
  arrived(id: string): void;
}

const NO_SECRET = "this host has no migration secret (serve --migration-secret, or WASMVISOR_MIGRATION_SECRET)";

export function registerMigration(app: FastifyInstance, hv: Host, ctx: MigrationContext): void {
  app.put<{ Params: { id: string }; Body: { destination: string; max_rounds?: number } }>("/vms/:id/migrate", { schema: { params: vmId, body: migrateBody } }, async (req) => {
    const { id } = req.params;
    if (!ctx.secret) throw new HypervisorError("invalid_config", NO_SECRET);
    const vm = hv.vms.get(id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${id}'`);
    if (vm.state !== "running" && vm.state !== "paused") throw new HypervisorError("invalid_state", `cannot migrate VM '${id}': it is ${vm.state} (allowed when running or paused)`);
    let report;
    try {
      const transport = await connectMigration(req.body.destination);
      report = await migrateOut(hv, id, transport, { secret: ctx.secret, body: ctx.bodies.get(id), consoleRing: () => vm.console.contents(), maxRounds: req.body.max_rounds });
    } catch (e) {
      const here = hv.vms.get(id);
      const where = here ? `; the VM is ${here.state} here` : "";
      throw new HypervisorError("migration_failed", `${(e as Error).message.replace(/^migration: /, "")}${where}`);
    }
    ctx.forget(id);
    return { id, destination: req.body.destination, rounds: report.rounds, round_pages: report.roundPages, bytes: report.bytes,
      total_ms: round(report.totalMs), downtime_ms: round(report.downtimeMs),
      downtime_parts_ms: Object.fromEntries(Object.entries(report.downtimeParts).map(([k, v]) => [k.replace(/Ms$/, ""), round(v)])) };
  });

  void app.register(async (scope) => {
    scope.get(MIGRATION_PATH, { websocket: true }, (socket) => {
      if (!ctx.secret) { socket.close(1008, NO_SECRET.slice(0, 100)); return; }
      const secret = ctx.secret;
      let defined: string | undefined;
      void acceptMigration(hv, wsTransport(socket), {
        secret,
        define: (id, body) => { ctx.define(id, body as VmBody); defined = id; },
        undefine: async (id) => { await hv.delete(id); ctx.forget(id); },
      }).then((r) => { ctx.arrived(r.id); app.log.info(`migration: VM '${r.id}' arrived`); },
        (e: Error) => { app.log.warn(`migration${defined ? ` of VM '${defined}'` : ""} refused or failed: ${e.message}`); });
    });
  });
}

function round(ms: number): number { return Math.round(ms * 10) / 10; }
