import { createSiteAdmin } from "@battycoda/core/defaults";
import { print, withDatabase } from "./context.ts";

export async function createAdmin(opts: { username: string; email: string; password?: string }) {
  await withDatabase(async ({ db }) => {
    const r = await createSiteAdmin(
      { db },
      {
        username: opts.username,
        email: opts.email,
        ...(opts.password ? { password: opts.password } : {}),
      },
    );
    print(
      r.created
        ? `Created site admin ${r.user.username} <${r.user.email}>`
        : `${r.user.username} is now a site admin${opts.password ? " (password updated)" : ""}`,
    );
    if (r.password && !opts.password) print(`Password: ${r.password}`);
  });
}
