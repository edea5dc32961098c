// One declaration per route: method, path, permission, schemas, summary and handler. Mounting it
// registers the handler behind its permission check and its validation; the OpenAPI document
// (openapi.ts) reads the same objects, so nothing about a route is written twice.

import type { Context, Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app-env.js";
import { authorize } from "./auth.js";
import { parseJson, readBody, SMALL_BODY_BYTES, validate } from "./body.js";
import { observe } from "./observe.js";
import { quotaOf, type Permission } from "./permissions.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** What the handler receives: the body and query the table validated (undefined where it declares none). */
export interface RouteInput<B, Q> {
  body: B;
  query: Q;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodObject | undefined> {
  method: Method;
  /** Hono path syntax (`:param`, trailing `*`); the document renders `{param}`. */
  path: string;
  summary: string;
  permission: Permission;
  /** A JSON body, read within SMALL_BODY_BYTES and validated before the handler runs. */
  body?: B;
  /** An empty body stands for `{}` (validated as such). */
  bodyOptional?: boolean;
  /** Query parameters, validated before the handler runs. */
  query?: Q;
  /**
   * Hot routes (produce, fetch): schemas that only document the request. The handler parses by
   * hand, so no schema validation runs on their path beyond what the handler chooses.
   */
  documents?: { body?: z.ZodType; query?: z.ZodObject };
  /** The route also takes raw bytes (record batches, a stream's content type) as its body. */
  binaryBody?: boolean;
  /** `binary`: the route also answers raw bytes, as the record-batch content type or the one named. */
  ok: { status: number; schema?: z.ZodType; binary?: boolean | string };
  handler: (c: Context<AppEnv>, input: RouteInput<Out<B>, Out<Q>>) => Response | Promise<Response>;
}

/** A declared route, with its input types erased so routes of different shapes share one table. */
export type Route = RouteSpec<z.ZodType | undefined, z.ZodObject | undefined>;

/** Declares a route; the generic parameters type the handler's input from the schemas. */
export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
  spec: RouteSpec<B, Q>,
): Route {
  return spec as unknown as Route;
}

/** Registers every route on the app, in table order (Hono matches in registration order). */
export function mount(app: Hono<AppEnv>, routes: readonly Route[]): void {
  for (const r of routes) {
    app.on(r.method, r.path, observe(r.path, quotaOf(r.permission)), authorize(r.permission), async (c) =>
      r.handler(c, (await readInput(c, r)) as never),
    );
  }
}

async function readInput(c: Context<AppEnv>, r: Route): Promise<RouteInput<unknown, unknown>> {
  let body: unknown;
  if (r.body) {
    const bytes = await readBody(c, SMALL_BODY_BYTES);
    const json = bytes.byteLength === 0 && r.bodyOptional ? {} : parseJson(bytes, c.req.header("transfer-encoding"));
    body = validate(r.body, json);
  }
  const query = r.query ? validate(r.query, c.req.query()) : undefined;
  return { body, query };
}
