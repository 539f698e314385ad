/** Every runner a session was placed on, oldest first: the runners whose terminal output is the session's (issue #12). */
export function placedRunners(events: readonly { type: string; data: unknown }[]): string[] {
  const runners: string[] = [];
  for (const e of events) {
    if (e.type !== 'session.placed') continue;
    const { runnerId } = e.data as { runnerId: string };
    if (!runners.includes(runnerId)) runners.push(runnerId);
  }
  return runners;
}
