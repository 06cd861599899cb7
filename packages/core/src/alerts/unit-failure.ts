// A systemd unit failed (the worker crashed, the API could not start, a backup timer failed):
// systemd runs battycoda-notify@<unit>.service, whose script calls `battycoda notify-failure`,
// which lands here. One mail per unit per hour, however often systemd restarts it meanwhile.
import type { CoreContext } from "../access/context.ts";
import { appVersion, hostName } from "../monitor/version.ts";
import { type AdminAlertResult, sendAdminAlert } from "./alerts.ts";
import { renderAlert } from "./template.ts";

export const UNIT_FAILURE_PERIOD_MS = 3_600_000;
const UNIT_NAME = /^[A-Za-z0-9@._:\\-]+$/;

export interface UnitFailure {
  /** The unit that failed, e.g. battycoda-worker.service. */
  unit: string;
  /** The unit's last journal lines, if they could be read. */
  journal?: string;
  /** systemd's view (Result=…, ExecMainStatus=…), if available. */
  status?: string;
  now?: Date;
}

export async function notifyUnitFailure(
  ctx: Pick<CoreContext, "db" | "boss" | "config">,
  failure: UnitFailure,
): Promise<AdminAlertResult> {
  if (!UNIT_NAME.test(failure.unit))
    throw new Error(`not a systemd unit name: ${JSON.stringify(failure.unit)}`);
  const host = hostName();
  const body = renderAlert({
    title: `${failure.unit} failed on ${host}`,
    summary: `systemd reported that ${failure.unit} failed. It restarts by itself when its unit says Restart=on-failure; this mail is sent at most once an hour per unit.`,
    facts: [
      ["Host", host],
      ["Unit", failure.unit],
      ["BattyCoda version", appVersion()],
      ...(failure.status ? ([["systemd", failure.status]] as [string, string][]) : []),
    ],
    action: `Check it with: systemctl status ${failure.unit}; journalctl -u ${failure.unit} -n 200`,
    details: failure.journal?.trim()
      ? `Last journal lines:\n${failure.journal.trim()}`
      : "The journal could not be read.",
  });
  return sendAdminAlert(ctx, {
    key: `unit-failure:${host}:${failure.unit}`,
    periodMs: UNIT_FAILURE_PERIOD_MS,
    subject: `${failure.unit} failed on ${host}`,
    text: body.text,
    html: body.html,
    value: { unit: failure.unit, host, ...(failure.status ? { status: failure.status } : {}) },
    // the worker that would deliver a queued mail may be what failed
    delivery: "direct",
    ...(failure.now ? { now: failure.now } : {}),
  });
}
