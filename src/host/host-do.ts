// MemberHostDO: a consumer-group member that lives inside a Durable Object. Its alarm drives the
// member one slice at a time; it calls the router in-process. What it runs comes from a registered
// kind (streams tasks now, connector sink tasks later); the spec is stored, so a restart resumes.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { HostSpec, HostStatus, MemberHostRpc } from "../contracts/host.js";
import { rpc } from "../contracts/rpc.js";
import { EdgelogError, type Result } from "../protocol/errors.js";
import { hostKv } from "./keys.js";
import { HostedFailure, hostedKind, type HostedMember } from "./kinds.js";

/** The router the host calls in-process (the Worker's Hono app). */
export interface Router {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}

/** Backoff after failed slices: doubling from the first, up to the last. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** How long an idle member (nothing to fetch) waits before its next slice at most. */
const IDLE_MAX_MS = 1_000;
export const INTERNAL_URL = "http://edgelog.internal";

/**
 * A fetch into the router, in-process (a deployed Worker cannot fetch its own URL), for the SDK's
 * transport in an object. The router uses only waitUntil (group commit); the object's own keeps
 * that work alive.
 */
export function inProcessFetch(router: Router, env: Env, state: DurableObjectState): typeof fetch {
  const ctx = {
    waitUntil: (p: Promise<unknown>) => state.waitUntil(p),
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext;
  return async (input, init) => router.fetch(new Request(input, init), env, ctx);
}

const sameSpec = (a: HostSpec | undefined, b: HostSpec) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

export function memberHost(router: Router) {
  return class MemberHostDO extends DurableObject<Env> implements MemberHostRpc {
    readonly #kv = hostKv(this.ctx.storage);
    #hosted?: HostedMember;
    #slice?: Promise<void>;
    #failures = 0;
    #lastError: string | null = null;

    /** Runs `spec` here (idempotent: the same spec keeps running; another replaces it). */
    async start(spec: HostSpec): Promise<Result<HostStatus>> {
      return rpc(async () => {
        hostedKind(spec.kind);
        const kv = this.#kv;
        // An object woken by its alarm after a restart does not know its name (ctx.id.name is
        // undefined then): keep it, so the member rejoins under the same static instance id.
        if (this.ctx.id.name !== undefined) kv.put("name", this.ctx.id.name);
        if (!sameSpec(kv.get("spec"), spec)) {
          await this.#close();
          kv.put("spec", spec);
          this.#failures = 0;
          this.#lastError = null;
        }
        // Starting a failed spec again is how it is restarted.
        kv.delete("failed");
        if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
        return this.#status();
      });
    }

    /** Restarts what runs here: its member closed (final commit, group left), then run afresh at once. */
    async restart(): Promise<Result<HostStatus>> {
      return rpc(async () => {
        await this.#close();
        this.#kv.delete("failed");
        this.#failures = 0;
        this.#lastError = null;
        if (this.#kv.get("spec")) await this.ctx.storage.setAlarm(Date.now());
        return this.#status();
      });
    }

    /** Stops: final commit, the group left, nothing scheduled. */
    async stop(): Promise<Result<null>> {
      return rpc(async () => {
        this.#kv.delete("spec");
        this.#kv.delete("failed");
        await this.ctx.storage.deleteAlarm();
        await this.#close();
        return null;
      });
    }

    async status(): Promise<Result<HostStatus>> {
      return rpc(() => this.#status());
    }

    #status(): HostStatus {
      const m = this.#hosted?.member;
      const failed = this.#kv.get("failed");
      return {
        spec: this.#kv.get("spec") ?? null,
        running: this.#hosted !== undefined,
        member_id: m?.memberId ?? null,
        assignment: m?.assignment() ?? [],
        failures: this.#failures,
        last_error: this.#lastError,
        failed: failed !== undefined,
        trace: failed?.trace ?? null,
      };
    }

    /** Requests for what runs here (a kind's own HTTP surface, e.g. interactive queries). */
    override async fetch(request: Request): Promise<Response> {
      const h = this.#hosted;
      if (!h?.fetch) {
        const e = new EdgelogError("STATE_STORE_NOT_AVAILABLE", "nothing is running in this host yet");
        return Response.json({ error: e.toBody() }, { status: e.status });
      }
      return h.fetch(request);
    }

    override async alarm(): Promise<void> {
      const spec = this.#kv.get("spec");
      if (!spec || this.#kv.get("failed")) return;
      let delay = 0;
      let gaveUp = false;
      const run = (async () => {
        try {
          this.#hosted ??= await hostedKind(spec.kind)(this.#context(spec));
          const member = this.#hosted.member;
          const processed = await member.slice();
          if (!processed) delay = Math.min(member.idleMs, IDLE_MAX_MS);
          this.#failures = 0;
        } catch (e) {
          this.#failures++;
          this.#lastError = (e as Error)?.message ?? String(e);
          if (e instanceof HostedFailure) {
            gaveUp = true;
            this.#kv.put("failed", { trace: e.stack ?? e.message, at: Date.now() });
          }
          console.error(`member host ${spec.kind}/${spec.name}: slice failed (${this.#failures} in a row)`, e);
          const hosted = this.#hosted;
          this.#hosted = undefined;
          await hosted?.abandon().catch(() => undefined);
          delay = Math.min(RETRY_FIRST_MS * 2 ** (this.#failures - 1), RETRY_MAX_MS);
        }
      })();
      this.#slice = run;
      await run;
      this.#slice = undefined;
      if (!gaveUp && sameSpec(this.#kv.get("spec"), spec)) await this.ctx.storage.setAlarm(Date.now() + delay);
    }

    async #close(): Promise<void> {
      await this.#slice;
      const hosted = this.#hosted;
      this.#hosted = undefined;
      await hosted?.close();
    }

    #context(spec: HostSpec) {
      const env = this.env;
      const authOn = env.EDGELOG_AUTH !== "off";
      return {
        spec,
        objectName: this.ctx.id.name ?? this.#kv.get("name") ?? this.ctx.id.toString(),
        fetch: inProcessFetch(router, env, this.ctx),
        url: INTERNAL_URL,
        token: spec.token ?? (authOn ? env.EDGELOG_ADMIN_TOKEN : undefined),
        sql: this.ctx.storage.sql,
        env,
      };
    }
  };
}

export type MemberHostDO = InstanceType<ReturnType<typeof memberHost>>;
