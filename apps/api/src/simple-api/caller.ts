import type { FastifyRequest } from "fastify";
import type { ApiCaller } from "../rest/api-key-auth.ts";
import { createCaller } from "../router.ts";
import { createInnerContext, type ServerDeps } from "../trpc.ts";

/** A typed tRPC caller acting as the key's owner, in the group the request chose. */
export async function callerFor(deps: ServerDeps, req: FastifyRequest, who: ApiCaller) {
  return createCaller(
    createInnerContext(deps, {
      user: who.user,
      meta: { ip: req.ip, userAgent: req.headers["user-agent"] },
      access: await who.access(),
    }),
  );
}

export type Caller = Awaited<ReturnType<typeof callerFor>>;
