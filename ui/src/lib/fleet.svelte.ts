// The fleet shipper's status (issue 14), asked of the shell every two
// seconds while the app runs: the status bar's "Armada: …", Pengaturan's
// terminal id and label, and whether the Armada screen is offered.
import { commands, type FleetStatus } from "./bindings";

class FleetState {
  status = $state<FleetStatus | null>(null);
}

export const fleet = new FleetState();

let timer: ReturnType<typeof setInterval> | null = null;

export async function refreshFleet() {
  const r = await commands.fleetStatus();
  if (r.status === "ok") fleet.status = r.data;
}

/** Starts the polling once (later calls do nothing). */
export function watchFleet() {
  if (timer) return;
  refreshFleet();
  timer = setInterval(refreshFleet, 2000);
}
